import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { launchPersistentChromium, screenshotFile } from "../harness/browser.ts";
import type { RunningWorker } from "../harness/runningWorker.ts";
import { ROOT } from "../harness/wrangler.ts";
import { startWranglerDev } from "../harness/wranglerDev.ts";

/**
 * Freshness without a cron: a new deployment (empty local D1, `wrangler dev` as `npm start` runs
 * it, whatever INGEST_MODE wrangler.toml sets), one ping and one capture batch sent the way the
 * dashboard's empty state says, and the dashboard shows them in today's figures with the cron
 * never run (rollup_state stays empty).
 */
const TOKEN = "fresh-token-0123456789";
let worker: RunningWorker;
let context: BrowserContext;
let page: Page;
let userData: string;
const todayKpi = () => page.locator(".kpi", { hasText: "active today so far" }).locator("b").textContent();

async function shots(name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    // Charts redraw on resize in the next frame(s): measure the width once they have.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 150))));
    await expect.poll(() => page.locator("main [aria-busy=true]").count(), { timeout: 20_000 }).toBe(0);
    await page.screenshot({ path: await screenshotFile(`dashboard-fresh-${name}-${width}`), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "client/build.mjs")], { cwd: ROOT });
  worker = await startWranglerDev({ adminToken: TOKEN });
  userData = mkdtempSync(path.join(tmpdir(), "candor-fresh-chromium-"));
  context = await launchPersistentChromium(userData, { viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  await worker?.stop();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

describe("a first ping shows up without a cron run (wrangler dev + chromium)", () => {
  it("empty state first, then today's figures after one ping and one capture batch", async () => {
    await page.goto(`${worker.url}/admin/`);
    await page.fill("#token", TOKEN);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("main h2").first().textContent(), { timeout: 20_000 }).toBe("No data yet");
    await shots("empty");

    // The empty state's own curl command, as a new maintainer would paste it.
    const ping = await fetch(`${worker.url}/v1/ping`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instanceId: randomUUID(), product: "myapp", version: "1.0.0" }),
    });
    expect(ping.status).toBe(200);
    // posthog-js's batch (one $pageview), under the development project token (product "flowforge").
    const batch = readFileSync(path.join(ROOT, "test/fixtures/posthog-batch.json"), "utf8").replaceAll(
      "phc_test",
      "phc_candor_dev",
    );
    const capture = await fetch(`${worker.url}/batch/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: batch,
    });
    expect(capture.status).toBe(200);

    // The page is reloaded until the figures are there: with the queue, the consumer writes
    // within its batch timeout; the deadline is generous for two shared cores.
    await expect
      .poll(
        async () => {
          await page.goto(`${worker.url}/admin/#/overview?product=myapp`);
          await page.reload();
          await expect.poll(() => page.locator("main [aria-busy=true]").count(), { timeout: 20_000 }).toBe(0);
          return page.locator(".kpi", { hasText: "active today so far" }).count();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(1);
    expect(await todayKpi()).toBe("1");
    expect(await page.locator("#product").inputValue()).toBe("myapp");
    await expect.poll(() => page.locator("main").textContent()).toContain("1.0.0");
    await shots("first-ping");

    await page.goto(`${worker.url}/admin/#/frontend?product=flowforge`);
    await page.reload();
    await expect
      .poll(() => page.locator(".kpi", { hasText: "pageviews" }).locator("b").first().textContent(), {
        timeout: 30_000,
      })
      .toBe("1");
    await shots("first-pageview");

    // No cron ran: the figures came from the write path itself.
    expect(await worker.query("SELECT count(*) AS n FROM rollup_state")).toEqual([{ n: 0 }]);
  });
});
