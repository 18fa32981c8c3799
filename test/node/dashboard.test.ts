import { mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page, Route } from "playwright-core";
import { alertsAnswer } from "../../schema/wire/admin.ts";
import { launchPersistentChromium, screenshotFile } from "../harness/browser.ts";
import type { RunningWorker } from "../harness/runningWorker.ts";
import { ROOT } from "../harness/wrangler.ts";
import { startWranglerDev } from "../harness/wranglerDev.ts";
import { charts, day, seedSql } from "./dashboardSeed.ts";

const TOKEN = "dash-token-0123456789";
let worker: RunningWorker;
let context: BrowserContext;
let page: Page;
let userData: string;
const hosts = new Set<string>();
const consoleErrors: string[] = [];
const kpi = (n = 0) => page.locator(".kpi b").nth(n).textContent();
const shot = async (name: string) => page.screenshot({ path: await screenshotFile(name), fullPage: true });
const ACME = (i: number) => `30000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

/** Every panel of the view has answered (loaded or failed) and its charts are drawn. */
async function settled(): Promise<void> {
  await expect.poll(() => page.locator("main [aria-busy=true]").count(), { timeout: 20_000 }).toBe(0);
  await expect
    .poll(
      () =>
        page.evaluate(() => Array.from(document.querySelectorAll(".chart")).every((c) => c.querySelector("canvas"))),
      {
        timeout: 20_000,
      },
    )
    .toBe(true);
}

/** Full-page screenshots of the current view at 1280 px and 390 px (test-results/dashboard-<name>-<width>.png). */
async function shots(name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 150))));
    await settled();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await shot(`dashboard-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "client/build.mjs")], { cwd: ROOT });
  // The dashboard as users run it: `wrangler dev` serves it with the `_headers` rules (its CSP).
  worker = await startWranglerDev({ adminToken: TOKEN, seedSql: seedSql() });
  userData = mkdtempSync(path.join(tmpdir(), "candor-dash-chromium-"));
  context = await launchPersistentChromium(userData, {
    viewport: { width: 1280, height: 900 },
    timezoneId: "America/Los_Angeles", // west of UTC: chart days must not shift
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (r) => hosts.add(new URL(r.url()).host));
  page.on("dialog", (d) => void d.accept());
  page.on("console", (m) => {
    // Expected: the refused token (401), the simulated outages (503, a failing panel's 500), the
    // alert deleted elsewhere and the erased installation (404), the over-cap export (413).
    if (m.type() === "error" && !/\b(401|503|500|404|413)\b/.test(m.text())) consoleErrors.push(m.text());
  });
});

afterAll(async () => {
  await context?.close();
  await worker?.stop();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

describe("dashboard at /admin (wrangler dev + chromium)", () => {
  it("asks for the token; a wrong one is refused", async () => {
    await page.goto(`${worker.url}/admin/`);
    await expect.poll(() => page.locator("#login").isVisible()).toBe(true);
    expect(await page.locator("#nav").isVisible()).toBe(false);
    await page.fill("#token", "wrong");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.textContent("#login-error")).toBe("That token was refused.");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("before the first rollup: the empty state explains how to send a first ping", async () => {
    await page.fill("#token", TOKEN);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("main h2").first().textContent()).toBe("No data yet");
    expect(await page.textContent("main pre")).toContain(`${worker.url}/v1/ping`);
    expect(await page.evaluate(() => [sessionStorage.getItem("candor.adminToken"), localStorage.length])).toEqual([
      TOKEN,
      0,
    ]);
  });

  it("after scheduled(): figures, series drawn in every chart, x ticks on UTC midnights", async () => {
    await worker.scheduled(); // /__scheduled, as `npm start` offers it
    await page.reload();
    await expect.poll(() => kpi(), { timeout: 20_000 }).toBe("40");
    expect(await page.locator("#product").inputValue()).toBe("acme");
    // active, versions, share on latest, platform.counts over time, fact ui.theme over time
    await expect.poll(async () => (await charts(page)).length, { timeout: 20_000 }).toBe(5);
    await expect
      .poll(async () => Math.min(...(await charts(page)).map((c) => c.series)), { timeout: 20_000 })
      .toBeGreaterThan(50);
    for (const c of await charts(page)) {
      expect(c.xticks.length).toBeGreaterThan(0);
      for (const t of c.xticks) expect(t % 86_400).toBe(0);
    }
    expect(await page.locator(".kpi span").nth(3).textContent()).toBe("on latest release 1.1.0");
    expect(await kpi(3)).toBe("50.0 %");
    expect(await page.locator("h3", { hasText: "Fact ui.theme" }).count()).toBe(1);
    await shot("dashboard");
  });

  it("date picker: a past range answers for its own last day", async () => {
    await page.fill("#from", day(13));
    await page.fill("#to", day(10));
    await page.click("#controls button[type=submit]");
    await expect.poll(() => page.locator(".kpi span").first().textContent()).toBe(`active on ${day(10)}`);
    expect(await kpi()).toBe("32"); // instances with i % 5 = 4 start on day 9
    await page.click(".quick button[data-days='30']");
    await expect.poll(() => kpi(), { timeout: 20_000 }).toBe("40");
  });

  it("product switcher: every product, frontend-only ones too; stale answers never win", async () => {
    const options = await page.locator("#product option").allTextContents();
    expect(options).toEqual(["acme", "beta", "webonly"]);
    await page.selectOption("#product", "beta");
    await expect.poll(() => kpi(), { timeout: 20_000 }).toBe("3");
    await page.selectOption("#product", "webonly");
    await expect.poll(() => page.locator(".kpi span").first().textContent()).toContain("active on");
    expect(await page.locator("main h2", { hasText: "No data yet" }).count()).toBe(0);

    // acme's answer is held back while the user moves on to beta: beta's figures must stay.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let done!: Promise<unknown>;
    await page.route("**/v1/admin/stats/active?product=acme*", (route) => {
      done = held.then(() => route.continue()).catch(() => undefined);
    });
    await page.selectOption("#product", "acme");
    await page.selectOption("#product", "beta");
    await expect.poll(() => kpi(), { timeout: 20_000 }).toBe("3");
    release();
    await done;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    expect(await kpi()).toBe("3");
    await page.unroute("**/v1/admin/stats/active?product=acme*");
    await page.selectOption("#product", "acme");
    await expect.poll(() => kpi(), { timeout: 20_000 }).toBe("40");
  });

  it("frontend view by keyboard (Tab to the section link): pageviews chart, top page", async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let href: string | null = null;
    // Nav links keep the view's query (product, range, filters): #/frontend?product=…
    // (Tab from wherever focus was last: through the view's links, around to the nav.)
    for (let i = 0; i < 80 && !href?.startsWith("#/frontend?"); i++) {
      await page.keyboard.press("Tab");
      href = await page.evaluate(() => document.activeElement?.getAttribute("href") ?? null);
    }
    expect(href).toMatch(/^#\/frontend\?product=acme&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.locator("main table.data td").first().textContent(), { timeout: 20_000 })
      .toBe("/flows");
    await expect.poll(async () => (await charts(page)).map((c) => c.series > 50)).toEqual([true]);
  });

  it("manages releases and alerts; a failed delete is shown", async () => {
    await page.click("#nav a[data-route='releases']");
    await page.locator("input[name=version]").waitFor();
    await page.fill("input[name=version]", "1.2.0");
    await page.fill("input[name=info]", "Faster flows");
    await page.locator("input[name=info]").press("Enter");
    await expect.poll(() => page.locator("main table.data tbody tr td").nth(1).textContent()).toBe("1.2.0");

    await page.click("#nav a[data-route='alerts']");
    await page.locator("input[name=affects]").waitFor();
    await page.fill("input[name=affects]", "<1.1.0");
    await page.selectOption("select[name=level]", "critical");
    await page.fill("textarea[name=message]", "Please upgrade");
    await page.click("main form button[type=submit]");
    await expect.poll(() => page.locator("main table.data tbody tr td").nth(3).textContent()).toBe("Please upgrade");
    const auth = { authorization: `Bearer ${TOKEN}` };
    const { items: alerts } = alertsAnswer.parse(
      await (await fetch(`${worker.url}/v1/admin/alerts`, { headers: auth })).json(),
    );
    expect(alerts.map((a) => a.level)).toEqual(["critical"]);
    // Deleted elsewhere meanwhile: the page's delete fails, and says so.
    expect(
      (await fetch(`${worker.url}/v1/admin/alerts/${alerts[0]!.id}`, { method: "DELETE", headers: auth })).ok,
    ).toBe(true);
    await page.click("main table.data button");
    await expect
      .poll(() => page.locator("main [role=alert]").first().textContent())
      .toContain("Could not delete the alert");
  });

  it("overview: stacked version adoption with the release marker, upgrade lag, today marked partial", async () => {
    await page.goto(`${worker.url}/admin/#/overview`);
    await settled();
    await expect.poll(() => page.locator(".kpi span", { hasText: "today so far" }).count()).toBe(1);
    expect(await page.locator("h3", { hasText: "Version adoption" }).count()).toBe(1);
    const lag = await page.locator("table.data", { hasText: "upgrade lag" }).locator("tbody tr").allTextContents();
    expect(lag[0]).toContain("1.1.0");
    // Every column header and number stays on one line (no "Co/un/t").
    expect(
      await page.evaluate(() =>
        Array.from(document.querySelectorAll("th, td.num")).every((c) => getComputedStyle(c).whiteSpace === "nowrap"),
      ),
    ).toBe(true);
    await shots("overview");
  });

  it("a failing panel shows its error and a retry; the other panels stay", async () => {
    await page.route("**/v1/admin/stats/distributions*", (r) =>
      r.fulfill({
        status: 500,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "internal", message: "Internal error." } }),
      }),
    );
    try {
      await page.click(".quick button[data-days='7']");
      await settled();
      const failed = page.locator("[data-panel='Distribution'] [role=alert]");
      await expect.poll(() => failed.textContent()).toContain("Could not load distribution");
      expect(await kpi()).toBe("40");
      // The other panels draw their charts as their answers arrive: poll (a slow browser is still drawing).
      await expect.poll(async () => (await charts(page)).length, { timeout: 20_000 }).toBe(5);
      await page.unroute("**/v1/admin/stats/distributions*");
      await page.locator("[data-panel='Distribution'] button", { hasText: "Retry" }).click();
      await expect.poll(() => page.locator("[data-panel='Distribution'] table.data").count()).toBeGreaterThan(0);
    } finally {
      await page.unroute("**/v1/admin/stats/distributions*");
      await page.click(".quick button[data-days='30']");
    }
  });

  it("exception group page: stack, versions, affected installations, new in this release", async () => {
    // The release test above moved acme to 1.2.0: back to 1.1.0, the release fp-export is new in.
    const put = await fetch(`${worker.url}/v1/admin/releases/acme`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ version: "1.1.0" }),
    });
    expect(put.status).toBe(200);
    await page.goto(`${worker.url}/admin/#/overview`);
    await settled();
    await page.locator("a", { hasText: "RangeError" }).click();
    await settled();
    expect(await page.locator("main .badge").textContent()).toBe("New in this release (1.1.0)");
    await page.goto(`${worker.url}/admin/#/exception/fp-flows`);
    await settled();
    expect(await page.locator("main pre.stack").textContent()).toContain("at runFlow (app/flows.js:120:14)");
    expect(await page.locator("main .badge").count()).toBe(0);
    const affected = await page.locator("table.data", { hasText: "Latest 6 of 6" }).locator("tbody tr").count();
    expect(affected).toBe(6);
    await shots("exception");
  });

  it("custom events view: events by name, top properties, app versions", async () => {
    await page.click("#nav a[data-route='events']");
    await page.locator("main[data-route='events']").waitFor();
    await settled();
    const rows = await page.locator("table.data tbody tr").allTextContents();
    expect(rows[0]).toContain("export_done");
    expect(rows[0]).toMatch(/format=(csv|pdf)/);
    expect((await charts(page)).length).toBe(1);
    await shots("events");
  });

  it("an export over the row cap says why and how to fix it", async () => {
    await page.click("#nav a[data-route='frontend']");
    await page.locator("main[data-route='frontend']").waitFor();
    await page.click(".quick button[data-days='30']"); // this test's own range, whatever ran before
    await settled();
    expect(await page.locator(".kpi span", { hasText: "visitors" }).count()).toBe(1);
    // The worker's own 413s (tested in test/worker): pings over the 80,000-row D1 cap, events over
    // the 900 R2 calls of one export (seeding either would take minutes).
    const refuse = (message: string) => (r: Route) =>
      r.fulfill({
        status: 413,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "range_too_large", message } }),
      });
    await page.route(
      "**/v1/admin/export/pings.csv*",
      refuse(
        "240000 rows in this range; one export holds at most 80000. Narrow from/to (or add product=) and export in parts.",
      ),
    );
    await page.click("button:has-text('Export pings.csv')");
    await expect
      .poll(() => page.locator("main [role=alert]").last().textContent())
      .toMatch(
        /Too many rows for one export \(240,000 in 30 days; at most 80,000\)\. Narrow the range to about 10 days/,
      );
    await page.route(
      "**/v1/admin/export/events.csv*",
      refuse(
        "1800 archive objects in this range; one export reads at most 900 archive objects and listings. Narrow from/to (or add product=) and export in parts.",
      ),
    );
    await page.click("button:has-text('Export events.csv')");
    await expect
      .poll(() => page.locator("main [role=alert]").last().textContent())
      .toMatch(
        /Too many archive objects for one export \(1,800 in 30 days; at most 900\)\. Narrow the range to about 15 days/,
      );
    await page.unroute("**/v1/admin/export/pings.csv*");
    await page.unroute("**/v1/admin/export/events.csv*");
    await shots("frontend");
  });

  it("installations: search, paging, an installation's page", async () => {
    await page.click("#nav a[data-route='installations']");
    // The previous view may still be the settled one until the hash change renders this one.
    await expect.poll(() => page.locator("main table.data tbody tr").count(), { timeout: 20_000 }).toBe(40);
    await page.fill("input[name=q]", ACME(7));
    await page.click("form.searchbar button");
    await expect.poll(() => page.locator("main table.data tbody tr").count()).toBe(1);
    await page.fill("input[name=q]", "");
    await page.click("form.searchbar button");
    await expect.poll(() => page.locator("main table.data tbody tr").count()).toBe(40);
    await shots("installations");
    await page.goto(`${worker.url}/admin/#/installation/${ACME(2)}`);
    await settled();
    expect(await page.locator("dl.facts").textContent()).toContain("DE");
    expect(await page.locator("main a", { hasText: "RangeError" }).count()).toBe(1);
    expect(await page.locator("main table.data", { hasText: "ui.theme" }).count()).toBe(1);
    await shots("installation");
  });

  it("erase removes an installation from every view", async () => {
    const id = ACME(0);
    await page.goto(`${worker.url}/admin/#/installation/${id}`);
    await settled();
    await page.click("button:has-text('Erase this installation')"); // the confirm() dialog is accepted
    await expect.poll(() => page.evaluate(() => location.hash)).toBe("#/installations");
    await settled();
    expect(await page.locator("main table.data tbody tr").count()).toBe(39);
    expect(await page.locator(`main a[href='#/installation/${id}']`).count()).toBe(0);
    expect((await fetch(`${worker.url}/__scheduled?cron=17+*+*+*+*`)).status).toBe(200);
    await page.goto(`${worker.url}/admin/#/overview`);
    await settled();
    await expect.poll(() => kpi(), { timeout: 20_000 }).toBe("39");
    await page.goto(`${worker.url}/admin/#/exception/fp-flows`);
    await settled();
    expect(await page.locator("main table.data", { hasText: "of 5" }).locator("tbody tr").count()).toBe(5);
    expect(await page.locator(`main a[href='#/installation/${id}']`).count()).toBe(0);
    await page.goto(`${worker.url}/admin/#/installation/${id}`);
    await settled();
    expect(await page.locator("main [role=alert]").first().textContent()).toContain("No such instance");
  });

  it("releases can be deleted", async () => {
    const put = await fetch(`${worker.url}/v1/admin/releases/beta`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ version: "2.0.0" }),
    });
    expect(put.status).toBe(200);
    await page.goto(`${worker.url}/admin/#/releases`);
    await settled();
    await shots("releases");
    const before = await page.locator("main table.data tbody tr").count();
    await page.locator("main table.data tbody tr", { hasText: "beta" }).locator("button").click();
    await expect.poll(() => page.locator("main table.data tbody tr").count()).toBe(before - 1);
  });

  it("alerts show their reach before saving; a product that never reported needs a confirmation", async () => {
    await page.goto(`${worker.url}/admin/#/alerts`);
    await settled();
    await page.fill("input[name=affects]", "<1.1.0");
    await expect
      .poll(() => page.locator("main .reach").textContent())
      .toMatch(/^Reaches 20 of 39 installations active on /);
    await page.fill("input[name=affects]", ">=9");
    await expect.poll(() => page.locator("main .reach").textContent()).toContain("nobody would see this alert");
    await page.selectOption("select[name=product]", "__new__");
    await page.fill("input[name=new_product]", "acmee");
    await page.fill("textarea[name=message]", "Typo'd product");
    await page.click("main form button[type=submit]");
    await expect
      .poll(() => page.locator("main form [role=status]").last().textContent())
      .toContain("tick the confirmation");
    await shots("alerts");
  });

  it("a 503 keeps the token and offers a retry; only 401 signs out", async () => {
    await page.route("**/v1/admin/stats/products", (r) =>
      r.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({
          error: { code: "storage_unavailable", message: "Storage is temporarily unavailable." },
        }),
      }),
    );
    await page.reload();
    await expect.poll(() => page.locator("main [role=alert]").textContent(), { timeout: 20_000 }).toContain("(503)");
    expect(await page.evaluate(() => sessionStorage.getItem("candor.adminToken"))).toBe(TOKEN);
    expect(await page.locator("#login").isVisible()).toBe(false);
    await page.unroute("**/v1/admin/stats/products");
    await page.click("main button:has-text('Retry')");
    await expect.poll(() => page.locator("main h2").first().textContent(), { timeout: 20_000 }).toBe("Alerts"); // the page was on #/alerts
    expect(await page.locator("#nav").isVisible()).toBe(true);
  });

  it("fits a phone width and loads nothing from any other host", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${worker.url}/admin/#/overview`);
    await expect
      .poll(async () => (await charts(page)).filter((c) => c.series > 20).length, { timeout: 20_000 })
      .toBe(5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("dashboard-phone");
    expect([...hosts]).toEqual([new URL(worker.url).host]);
    const res = await fetch(`${worker.url}/admin/`);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(consoleErrors).toEqual([]); // no CSP violation, no script error
  });
});
