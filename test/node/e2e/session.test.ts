import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { browserRefOf } from "../../../client/node/state/browserRef.ts";
import { TOKEN, settle } from "./harness.ts";
import { chromiumBinary, screenshotFile } from "../../harness/browser.ts";
import { e2eSetup } from "./setup.ts";
import { afterClose, order, setVisibility, tick } from "./pageSteps.ts";

// The demo console is a different origin, allowed by ALLOWED_ORIGINS.
const e = e2eSetup();
const browser = await chromiumBinary();

describe("e2e: a scripted console session, stored exactly once", () => {
  it("one $pageview per page entered, one $pageleave per page left, nothing else", async () => {
    const instanceId = crypto.randomUUID();
    e.demo.set({
      mode: "script",
      start: {
        token: TOKEN,
        license: { active: false },
        config: { adminEnabled: true },
        instanceRef: browserRefOf(instanceId),
        instanceId, // the old option: must never leave the browser
        appVersion: "2.1.0",
      },
    });
    const context = await e.browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    const bodies: string[] = []; // what the browser sent, decoded (gzip, base64 form or plain)
    page.on("request", (r) => {
      requests.push(`${r.method()} ${r.url()}`);
      const raw = r.postDataBuffer();
      if (!raw) return;
      const form = /^data=/.test(raw.toString("latin1")) ? decodeURIComponent(raw.toString("latin1").slice(5)) : null;
      bodies.push(
        raw[0] === 0x1f && raw[1] === 0x8b
          ? gunzipSync(raw).toString("utf8")
          : form !== null
            ? Buffer.from(form, "base64").toString("utf8")
            : raw.toString("utf8"),
      );
    });

    // 1. load (query and fragment never stored)
    await page.goto(`${e.demo.url}/app/home?utm_source=mail&token=secret#top`);
    expect(await page.evaluate(() => (window as unknown as { __decision: Promise<unknown> }).__decision)).toEqual({
      allowed: true,
      reason: "admin_enabled",
    });
    await tick(page);
    // start() called a second time (a framework effect run twice): same decision, no new view
    expect(
      await page.evaluate(() =>
        (window as unknown as { Candor: { start(o: object): Promise<unknown> } }).Candor.start({
          apiHost: "http://127.0.0.1:1",
        }),
      ),
    ).toEqual({ allowed: true, reason: "admin_enabled" });
    await tick(page);
    // 2. navigation, then the same path pushed again and replaced (no new view)
    await page.evaluate(() => history.pushState({}, "", "/app/projects/42?tab=1"));
    await tick(page);
    await page.evaluate(() => history.pushState({}, "", "/app/projects/42?tab=2"));
    await tick(page);
    await page.evaluate(() => history.replaceState({}, "", "/app/projects/42#details"));
    await tick(page);
    // 3. a router navigation: history patch and router hook both fire; the template is reported
    await page.evaluate(() => {
      history.pushState({}, "", "/app/settings/general");
      const candor = (window as unknown as { Candor: { page(t?: string): void } }).Candor;
      candor.page("/app/settings/:section");
      candor.page("/app/settings/:section"); // an effect run twice
    });
    await tick(page);
    // 4. an aborted navigation: the router hook fires, the location never changed
    await page.evaluate(() =>
      (window as unknown as { Candor: { page(t?: string): void } }).Candor.page("/app/admin/:tab"),
    );
    await tick(page);
    // 5. a redirect: push then replace in the same task -> only the target is entered
    await page.evaluate(() => {
      history.pushState({}, "", "/app/redirect-from");
      history.replaceState({}, "", "/app/redirected");
    });
    await tick(page);
    // 6. back and forward (popstate)
    await page.goBack({ waitUntil: "commit" });
    await tick(page);
    await page.goForward({ waitUntil: "commit" });
    await tick(page);
    // 7. a hash router (Vue createWebHashHistory pushes `#/…`; React HashRouter sets location.hash)
    await page.evaluate(() => history.pushState({}, "", "/app/#/projects/1?tab=1"));
    await tick(page);
    await page.evaluate(() => (location.hash = "#/settings"));
    await tick(page);
    await page.evaluate(() => (location.hash = "#/settings?tab=2")); // same page, its own query
    await tick(page);
    // 8. the tab hidden and shown: not a new page, nothing sent
    await setVisibility(page, "hidden");
    await setVisibility(page, "visible");
    await tick(page);
    await page.screenshot({ path: await screenshotFile("e2e-session") });
    // 9. close (beforeunload + pagehide + visibilitychange on one exit)
    await page.close({ runBeforeUnload: true });

    const expected = [
      ["$pageview", "/app/home"],
      ["$pageleave", "/app/home"],
      ["$pageview", "/app/projects/42"],
      ["$pageleave", "/app/projects/42"],
      ["$pageview", "/app/settings/:section"],
      ["$pageleave", "/app/settings/:section"],
      ["$pageview", "/app/redirected"],
      ["$pageleave", "/app/redirected"],
      ["$pageview", "/app/settings/:section"],
      ["$pageleave", "/app/settings/:section"],
      ["$pageview", "/app/redirected"],
      ["$pageleave", "/app/redirected"],
      ["$pageview", "/app/#/projects/1"],
      ["$pageleave", "/app/#/projects/1"],
      ["$pageview", "/app/#/settings"], // then hidden and shown: nothing
      ["$pageleave", "/app/#/settings"], // close
    ];
    await settle(
      () => e.events(`instance=${instanceId}`),
      (rows) => rows.length >= expected.length,
    );
    await context.close();
    // read again a little later: a late duplicate (a second close beacon) must fail the test
    await new Promise((r) => setTimeout(r, 2000));
    const stored = await e.events(`instance=${instanceId}`);
    const sequence = [...stored].sort(order);
    expect(sequence.map((e) => [e.event, e.path])).toEqual(expected);

    for (const e of sequence) {
      expect(e).toMatchObject({ instance_ref: browserRefOf(instanceId), app_version: "2.1.0", license_type: null });
      expect(e.browser).toMatch(/Chrome/);
      if (e.event === "$pageleave") expect(e.duration_ms).toBeGreaterThanOrEqual(0);
      else expect(e.duration_ms).toBeNull();
    }
    expect(new Set(sequence.map((e) => e.session_id)).size).toBe(1);
    // The installation id never left the browser (dashed or not); its reference went with every event.
    expect(bodies.filter((b) => b.includes(browserRefOf(instanceId))).length).toBeGreaterThan(0);
    for (const b of bodies) {
      expect(b.toLowerCase()).not.toContain(instanceId);
      expect(b.toLowerCase()).not.toContain(instanceId.replace(/-/g, ""));
    }
    const raw = JSON.stringify(stored);
    for (const secret of ["utm_source", "secret", "#top", "tab=", "Mozilla", "HeadlessChrome"])
      expect(raw).not.toContain(secret);
    // posthog-js fetched no remote config, flags, surveys or recorder (GET or POST): the worker
    // saw the gate, its lazy chunk and capture requests, nothing else
    const toWorker = requests
      .filter((r) => r.split(" ")[1]!.startsWith(e.worker.url))
      .map((r) => r.replace(e.worker.url, "").replace(/\?.*$/, ""));
    expect(toWorker.filter((r) => r === "POST /e/").length).toBeGreaterThan(0);
    expect(new Set(toWorker)).toEqual(new Set(["GET /candor.js", "GET /candor-posthog.js", "POST /e/"]));
    expect(requests.filter((r) => /\/array\/|\/flags|\/decide|surveys|recorder|\/static\//.test(r))).toEqual([]);
  });
});

describe("e2e: the back/forward cache", () => {
  // Chromium's own behaviour decides whether this can run: chrome-headless-shell (the bundled
  // fallback) never caches a page, the system chromium does (test/harness/browser.ts).
  it.skipIf(!browser.backForwardCache)(
    "a round trip through another document: a $pageleave when the page is cached, a $pageview when it is restored",
    async () => {
      const instanceId = crypto.randomUUID();
      e.demo.set({
        mode: "script",
        start: {
          token: TOKEN,
          license: { active: false },
          config: { adminEnabled: true },
          instanceRef: browserRefOf(instanceId),
        },
      });
      const context = await e.browser.newContext();
      const page = await context.newPage();
      await page.goto(`${e.demo.url}/app/home`);
      await tick(page);
      await page.goto(`${e.demo.url}/other.html`);
      await page.goBack({ waitUntil: "commit" });
      await page.waitForFunction(() => (window as unknown as { __shows: boolean[] }).__shows.includes(true));
      await tick(page);
      await page.close({ runBeforeUnload: true });
      const expected = [
        ["$pageview", "/app/home"],
        ["$pageleave", "/app/home"], // pagehide(persisted): into the cache
        ["$pageview", "/app/home"], // pageshow(persisted): restored
        ["$pageleave", "/app/home"], // close
      ];
      await settle(
        () => e.events(`instance=${instanceId}`),
        (rows) => rows.length >= expected.length,
      );
      await context.close();
      await afterClose(); // a late duplicate (a second close beacon) must fail the test
      const stored = [...(await e.events(`instance=${instanceId}`))].sort(order);
      expect(stored.map((s) => [s.event, s.path])).toEqual(expected);
      expect(new Set(stored.map((s) => s.session_id)).size).toBe(1);
    },
  );
});

describe("e2e: the worker serves the snippet as static assets", () => {
  it("/candor.js, its lazy chunk and the ESM build (importable cross-origin); API routes still reach the worker", async () => {
    const gate = await fetch(`${e.worker.url}/candor.js`);
    expect(gate.status).toBe(200);
    expect(gate.headers.get("content-type")).toMatch(/javascript/);
    expect(await gate.text()).toContain("candor-posthog.js");
    expect((await fetch(`${e.worker.url}/candor-posthog.js`)).status).toBe(200);
    const esm = await fetch(`${e.worker.url}/esm/candor.mjs`, { headers: { origin: "https://elsewhere.example" } });
    expect(esm.status).toBe(200);
    expect(esm.headers.get("access-control-allow-origin")).toBe("*");
    const health = await fetch(`${e.worker.url}/v1/health`);
    expect(health.status).toBe(200);
    expect((await fetch(`${e.worker.url}/nope.js`)).status).toBe(404);
    expect((await fetch(`${e.worker.url}/_headers`)).status).toBe(404); // configuration, not an asset
  });
});
