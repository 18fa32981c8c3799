import { mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
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
    // Expected: the refused token (401), the simulated outage (503), the alert deleted elsewhere (404).
    if (m.type() === "error" && !/\b(401|503|404)\b/.test(m.text())) consoleErrors.push(m.text());
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
    await expect.poll(() => kpi()).toBe("40");
  });

  it("product switcher: every product, frontend-only ones too; stale answers never win", async () => {
    const options = await page.locator("#product option").allTextContents();
    expect(options).toEqual(["acme", "beta", "webonly"]);
    await page.selectOption("#product", "beta");
    await expect.poll(() => kpi()).toBe("3");
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
    await expect.poll(() => kpi()).toBe("3");
    release();
    await done;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    expect(await kpi()).toBe("3");
    await page.unroute("**/v1/admin/stats/active?product=acme*");
    await page.selectOption("#product", "acme");
    await expect.poll(() => kpi()).toBe("40");
  });

  it("frontend view by keyboard (Tab to the section link): pageviews chart, top page", async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let href: string | null = null;
    for (let i = 0; i < 12 && href !== "#/frontend"; i++) {
      await page.keyboard.press("Tab");
      href = await page.evaluate(() => document.activeElement?.getAttribute("href") ?? null);
    }
    expect(href).toBe("#/frontend");
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.locator("main table.data td").first().textContent(), { timeout: 20_000 })
      .toBe("/flows");
    await expect.poll(async () => (await charts(page)).map((c) => c.series > 50)).toEqual([true]);
  });

  it("manages releases and alerts; a failed delete is shown", async () => {
    await page.click("#nav a[href='#/releases']");
    await page.locator("input[name=version]").waitFor();
    await page.fill("input[name=version]", "1.2.0");
    await page.fill("input[name=info]", "Faster flows");
    await page.locator("input[name=info]").press("Enter");
    await expect.poll(() => page.locator("main table.data tbody tr td").nth(1).textContent()).toBe("1.2.0");

    await page.click("#nav a[href='#/alerts']");
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
