import { describe, expect, it } from "vitest";
import { createTracker } from "../../../client/browser/tracker.ts";

function setup() {
  const sent: Array<[string, Record<string, unknown>, boolean]> = [];
  let clock = 1000;
  const t = createTracker(
    (e, p, exit) => sent.push([e, p, exit]),
    () => clock,
  );
  return {
    t,
    sent,
    tick: (ms: number) => (clock += ms),
    names: () => sent.map(([e, p]) => `${e} ${String(p.candor_route)}`),
  };
}

describe("createTracker: exactly once", () => {
  it("alternates view/leave and carries the time on the page", () => {
    const { t, sent, tick, names } = setup();
    t.enter("/a", "/a");
    tick(1500);
    t.enter("/b", "/b/:id");
    tick(200);
    t.leave(true);
    expect(names()).toEqual(["$pageview /a", "$pageleave /a", "$pageview /b/:id", "$pageleave /b/:id"]);
    expect(sent[1]![1].candor_duration_ms).toBe(1500);
    expect(sent[3]![1].candor_duration_ms).toBe(200);
    expect(sent.map(([, , exit]) => exit)).toEqual([false, false, false, true]);
  });

  it("the same page entered again, or left twice, sends nothing more", () => {
    const { t, names } = setup();
    t.enter("/a", "/a");
    t.enter("/a", "/a/:x");
    t.enter("/a", "/a");
    t.leave(true);
    t.leave(true);
    t.leave(false);
    expect(names()).toEqual(["$pageview /a", "$pageleave /a"]);
  });

  it("after a leave (bfcache) the same page gets a fresh view", () => {
    const { t, names } = setup();
    t.enter("/a", "/a");
    t.leave(true);
    t.enter("/a", "/a");
    expect(names()).toEqual(["$pageview /a", "$pageleave /a", "$pageview /a"]);
  });

  it("pause/resume (tab hidden and shown) send nothing and stop the clock", () => {
    const { t, sent, tick, names } = setup();
    t.enter("/a", "/a");
    tick(100);
    t.pause();
    tick(10_000);
    t.pause();
    t.resume();
    tick(50);
    t.resume();
    tick(25);
    t.leave(true);
    expect(names()).toEqual(["$pageview /a", "$pageleave /a"]);
    expect(sent[1]![1].candor_duration_ms).toBe(175);
  });

  it("a page entered while hidden counts from when it is shown", () => {
    const { t, sent, tick } = setup();
    t.pause();
    t.enter("/a", "/a");
    tick(5000);
    t.resume();
    tick(30);
    t.leave(false);
    expect(sent[1]![1].candor_duration_ms).toBe(30);
  });
});
