import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserRefOf } from "../../../client/node/state/browserRef.ts";
import { TOKEN, settle, type Scenario } from "./harness.ts";
import { e2eSetup } from "./setup.ts";
import { afterClose, order, storageOf, type Stored } from "./pageSteps.ts";

const e = e2eSetup();

interface Visit {
  decision: unknown;
  requests: string[];
  storage: Stored;
}

/** Loads the demo with `scenario`, navigates and closes the page; records every request. */
async function visit(scenario: Scenario, gpc = false): Promise<Visit> {
  e.demo.set(scenario);
  const context: BrowserContext = await e.browser.newContext();
  if (gpc)
    await context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }),
    );
  const requests: string[] = [];
  context.on("request", (r) => requests.push(r.url()));
  const page: Page = await context.newPage();
  await page.goto(`${e.demo.url}/app/home?x=1`);
  const decision = await page.evaluate(() => (window as unknown as { __decision: Promise<unknown> }).__decision);
  await page.evaluate(() => history.pushState({}, "", "/app/projects"));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  await page.evaluate(() =>
    (window as unknown as { Candor: { capture(n: string): void } }).Candor.capture("button_clicked"),
  );
  const during = await page.evaluate(() => ({
    local: localStorage.length,
    session: sessionStorage.length,
    documentCookie: document.cookie,
  }));
  await page.close({ runBeforeUnload: true });
  await afterClose();
  const seen = [...requests];
  const storage = await storageOf(context, e.demo.url);
  await context.close();
  // storage while the page was open, and afterwards (nothing written on the way out either)
  expect({ cookies: storage.cookies, ...during }).toEqual(storage);
  return { decision, requests: seen, storage };
}

const posthogDownload = /candor-posthog\.js|\/chunks\/posthog-|posthog|\/array\/|\/flags|\/decide/;
const nothingStored = { cookies: 0, local: 0, session: 0, documentCookie: "" };

describe("e2e: denied means nothing is sent, downloaded or stored", () => {
  it("unlicensed + disabled in the config file (ESM build): zero requests to the worker", async () => {
    const instanceId = crypto.randomUUID();
    const v = await visit({
      mode: "esm",
      start: {
        token: TOKEN,
        license: { active: false },
        config: { fileEnabled: false, adminEnabled: true },
        instanceRef: browserRefOf(instanceId),
      },
    });
    expect(v.decision).toEqual({ allowed: false, reason: "config_file_disabled" });
    expect(v.requests.filter((u) => u.startsWith(e.worker.url))).toEqual([]);
    expect(v.requests.filter((u) => posthogDownload.test(u))).toEqual([]);
    expect(v.requests.some((u) => u.endsWith("/esm/candor.mjs"))).toBe(true); // the gate itself did load
    expect(v.storage).toEqual(nothingStored);
    expect(await e.events(`instance=${instanceId}`)).toEqual([]);
  });

  it("Global Privacy Control (licensed + enabled, ESM build): zero requests to the worker", async () => {
    const instanceId = crypto.randomUUID();
    const v = await visit(
      {
        mode: "esm",
        start: {
          token: TOKEN,
          license: { active: true, type: "enterprise" },
          config: { adminEnabled: true },
          instanceRef: browserRefOf(instanceId),
        },
      },
      true,
    );
    expect(v.decision).toEqual({ allowed: false, reason: "gpc" });
    expect(await e.events(`instance=${instanceId}`)).toEqual([]);
    expect(v.requests.filter((u) => u.startsWith(e.worker.url))).toEqual([]);
    expect(v.requests.filter((u) => posthogDownload.test(u))).toEqual([]);
    expect(v.storage).toEqual(nothingStored);
  });

  it("Global Privacy Control with the script tag: the only worker request is the gate /candor.js", async () => {
    const v = await visit(
      { mode: "script", start: { token: TOKEN, license: { active: true }, config: { adminEnabled: true } } },
      true,
    );
    expect(v.decision).toEqual({ allowed: false, reason: "gpc" });
    expect(v.requests.filter((u) => u.startsWith(e.worker.url))).toEqual([`${e.worker.url}/candor.js`]);
    expect(v.requests.filter((u) => posthogDownload.test(u))).toEqual([]);
    expect(v.storage).toEqual(nothingStored);
  });
});

describe("e2e: events raised before the decision", () => {
  async function early(license: unknown) {
    const instanceId = crypto.randomUUID();
    e.demo.set({
      mode: "esm",
      deferLicense: true,
      start: { token: TOKEN, config: { fileEnabled: false }, instanceRef: browserRefOf(instanceId) },
    });
    const context = await e.browser.newContext();
    const requests: string[] = [];
    context.on("request", (r) => requests.push(r.url()));
    const page = await context.newPage();
    await page.goto(`${e.demo.url}/app/first`);
    await page.evaluate(() => history.pushState({}, "", "/app/second"));
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    await page.evaluate(() =>
      (window as unknown as { Candor: { capture(n: string): void } }).Candor.capture("early_click"),
    );
    const beforeDecision = requests.filter((u) => u.startsWith(e.worker.url) || posthogDownload.test(u));
    await page.evaluate((l) => (window as unknown as { __license(v: unknown): void }).__license(l), license);
    const decision = await page.evaluate(() => (window as unknown as { __decision: Promise<unknown> }).__decision);
    await page.close({ runBeforeUnload: true });
    await afterClose();
    const storage = await storageOf(context, e.demo.url);
    await context.close();
    return { instanceId, beforeDecision, decision, requests: [...requests], storage };
  }

  it("wait in a queue (nothing sent early), then are flushed when a licence allows", async () => {
    const r = await early({ active: true, type: "team" });
    expect(r.beforeDecision).toEqual([]);
    expect(r.decision).toEqual({ allowed: true, reason: "licensed" });
    const expected = [
      "$pageview /app/first",
      "$pageleave /app/first",
      "$pageview /app/second",
      "early_click null",
      "$pageleave /app/second",
    ];
    const stored = await settle(
      () => e.events(`instance=${r.instanceId}`),
      (rows) => rows.length >= expected.length,
    );
    const sequence = [...stored].sort(order);
    expect(sequence.map((e) => `${e.event} ${e.event.startsWith("$") ? e.path : null}`)).toEqual(expected);
  });

  it("are dropped when the decision denies: nothing ever reaches the worker", async () => {
    const r = await early({ active: false });
    expect(r.decision).toEqual({ allowed: false, reason: "config_file_disabled" });
    expect(r.requests.filter((u) => u.startsWith(e.worker.url) || posthogDownload.test(u))).toEqual([]);
    expect(await e.events(`instance=${r.instanceId}`)).toEqual([]);
    expect(r.storage).toEqual(nothingStored);
  });
});

describe("e2e: a licence forces telemetry on", () => {
  it("licensed + disabled (config file and admin): events arrive, with the licence type", async () => {
    const instanceId = crypto.randomUUID();
    const v = await visit({
      mode: "esm",
      start: {
        token: TOKEN,
        license: { active: true, type: "enterprise" },
        config: { fileEnabled: false, adminEnabled: false },
        instanceRef: browserRefOf(instanceId),
        appVersion: "9.9.9",
      },
    });
    expect(v.decision).toEqual({ allowed: true, reason: "licensed" });
    expect(v.requests.some((u) => /\/esm\/chunks\/posthog-/.test(u))).toBe(true);
    // memory persistence (the default): posthog-js writes no cookie and no storage either
    expect(v.storage).toEqual(nothingStored);
    const expected = [
      ["$pageview", "/app/home"],
      ["$pageleave", "/app/home"],
      ["$pageview", "/app/projects"],
      ["button_clicked", null],
      ["$pageleave", "/app/projects"],
    ];
    const stored = await settle(
      () => e.events(`instance=${instanceId}`),
      (rows) => rows.length >= expected.length,
    );
    const sequence = [...stored].sort(order);
    expect(sequence.map((e) => [e.event, e.event.startsWith("$") ? e.path : null])).toEqual(expected);
    for (const e of sequence)
      expect(e).toMatchObject({
        license_type: "enterprise",
        app_version: "9.9.9",
        instance_ref: browserRefOf(instanceId),
      });
  });
});
