import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCandor, type StartOptions } from "../../../client/browser/candor.ts";
import { fakeDom } from "./fakeDom.ts";

type Sent = [event: string, props: Record<string, unknown>, exit: boolean];
const allowed: Omit<StartOptions, "apiHost"> = { token: "phc_x", license: { active: true, type: "team" } };

/** createCandor with a recording sink; `loads` counts posthog downloads. */
function setup(loader?: () => Promise<never>) {
  const dom = fakeDom("https://console.test/app/home");
  const sent: Sent[] = [];
  let loads = 0;
  const candor = createCandor(async () => {
    loads++;
    if (loader) return loader();
    return {
      capture: (e: string, p: Record<string, unknown>, _at: number, exit: boolean) => void sent.push([e, p, exit]),
    };
  });
  const start = (o: Omit<StartOptions, "apiHost"> = allowed) =>
    candor.start({ apiHost: "https://telemetry.test", ...o });
  const names = () => sent.map(([e, p]) => (e.startsWith("$") ? `${e} ${String(p.candor_route)}` : e));
  return { dom, candor, sent, start, names, loads: () => loads, tick: () => vi.advanceTimersByTime(0) };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("Candor: hash routers", () => {
  it("a hash route (#/ or #!/) is part of the page: each hash navigation is a page, page() names it", async () => {
    const { dom, candor, start, names, tick } = setup();
    dom.history.replaceState({}, "", "/#/projects/1?tab=1");
    await start();
    tick();
    dom.history.pushState({}, "", "/#/settings"); // Vue createWebHashHistory
    tick();
    dom.setHash("#!/projects/2?tab=1"); // location.hash = … (React HashRouter, hashbang)
    tick();
    dom.setHash("#/projects/2?tab=2"); // same page, another query: nothing
    tick();
    dom.history.pushState({}, "", "/#/projects/3");
    candor.page("/projects/:id");
    tick();
    expect(names()).toEqual([
      "$pageview /#/projects/1",
      "$pageleave /#/projects/1",
      "$pageview /#/settings",
      "$pageleave /#/settings",
      "$pageview /#/projects/2",
      "$pageleave /#/projects/2",
      "$pageview /#/projects/:id",
    ]);
  });
});

describe("Candor: a hidden tab is not a new page", () => {
  it("hidden and shown send nothing; the one leave at pagehide counts visible time only", async () => {
    const { dom, start, sent, names, tick } = setup();
    await start();
    tick();
    vi.advanceTimersByTime(1000);
    dom.visibility("hidden");
    vi.advanceTimersByTime(60_000);
    dom.visibility("visible");
    tick();
    expect(names()).toEqual(["$pageview /app/home"]);
    vi.advanceTimersByTime(500);
    // one exit: beforeunload, pagehide, visibilitychange hidden
    dom.fire(dom.win, "beforeunload");
    dom.fire(dom.win, "pagehide");
    dom.visibility("hidden");
    expect(names()).toEqual(["$pageview /app/home", "$pageleave /app/home"]);
    expect(sent[1]![1].candor_duration_ms).toBe(1500);
    expect(sent[1]![2]).toBe(true); // by beacon
    // bfcache restore: a fresh view, after the leave above
    dom.fire(dom.win, "pageshow");
    dom.visibility("visible");
    tick();
    expect(names()).toEqual(["$pageview /app/home", "$pageleave /app/home", "$pageview /app/home"]);
  });
});

describe("Candor: the installation's browser reference, never its id", () => {
  const id = "5db51f99-c6fb-4340-9c19-78adce58cc1b";
  const ref = "Z2ZIT4pVQ7zRcwdYp2b9Sg"; // its browser reference (schema/wire/browserRef.ts)
  const noId = (sent: Sent[]) => {
    const text = JSON.stringify(sent).toLowerCase();
    expect(text).not.toContain(id);
    expect(text).not.toContain(id.replace(/-/g, ""));
  };

  it("sends instanceRef as candor_instance_ref with every event; a raw id in the old instanceId option is dropped", async () => {
    const { candor, start, sent, tick } = setup();
    await start({ ...allowed, instanceRef: ref, instanceId: id });
    tick();
    candor.capture("export_done", { rows: 3 });
    expect(sent.map(([e]) => e)).toEqual(["$pageview", "export_done"]);
    for (const [, props] of sent) expect(props.candor_instance_ref).toBe(ref);
    noId(sent);
  });

  it("a raw id passed as instanceRef (dashed, undashed, upper case) is not sent either", async () => {
    for (const wrong of [id, id.replace(/-/g, ""), id.toUpperCase()]) {
      const { start, sent, tick } = setup();
      await start({ ...allowed, instanceRef: wrong, instanceId: wrong });
      tick();
      expect(sent).toHaveLength(1);
      expect(sent[0]![1].candor_instance_ref).toBeUndefined();
      noId(sent);
    }
  });
});

describe("Candor: failures deny and clean up", () => {
  it("a rejected licence promise: decision_failed, no history patch, no listener, no download, queue dropped", async () => {
    const { dom, candor, start, loads, tick } = setup();
    const decision = start({ token: "phc_x", license: Promise.reject(new Error("licence service down")) });
    candor.capture("early_click");
    expect(await decision).toEqual({ allowed: false, reason: "decision_failed" });
    expect(dom.history.pushState).toBe(dom.original.pushState);
    expect(dom.history.replaceState).toBe(dom.original.replaceState);
    expect([...dom.win.live, ...dom.doc.live]).toEqual([]);
    dom.history.pushState({}, "", "/app/next");
    candor.page("/app/:x");
    candor.capture("late_click");
    tick();
    expect(loads()).toBe(0);
    expect(await start()).toEqual({ allowed: false, reason: "decision_failed" });
  });

  it("posthog-js failing to load: load_failed, listeners and patch removed", async () => {
    const { dom, start } = setup(() => Promise.reject(new Error("blocked")));
    expect(await start()).toEqual({ allowed: false, reason: "load_failed" });
    expect(dom.history.pushState).toBe(dom.original.pushState);
    expect([...dom.win.live, ...dom.doc.live]).toEqual([]);
  });
});

describe("Candor: the pre-decision queue", () => {
  it("never drops a $pageleave whose $pageview is queued: the oldest custom events go first", async () => {
    const { dom, candor, start, names, tick } = setup();
    let grant: (l: { active: boolean }) => void = () => undefined;
    const decision = start({ token: "phc_x", license: new Promise((r) => (grant = r)) });
    tick(); // $pageview /app/home queued
    for (let i = 0; i < 150; i++) candor.capture(`click_${i}`);
    dom.history.pushState({}, "", "/app/next");
    tick(); // $pageleave /app/home + $pageview /app/next
    grant({ active: true });
    expect(await decision).toEqual({ allowed: true, reason: "licensed" });
    const got = names();
    expect(got).toHaveLength(100);
    expect(got.filter((n) => n.startsWith("$"))).toEqual([
      "$pageview /app/home",
      "$pageleave /app/home",
      "$pageview /app/next",
    ]);
    expect(got.filter((n) => !n.startsWith("$"))).toEqual(Array.from({ length: 97 }, (_, i) => `click_${i + 53}`));
  });
});
