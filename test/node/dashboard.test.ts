import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { prepareDatabase, startDev, type DevWorker } from "./dashboardWorker.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TOKEN = "dash-token";
const DAY = 86_400_000;
const day = (k: number) => new Date(Date.now() - k * DAY).toISOString().slice(0, 10);
const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** 14 days of raw rows: 40 installations (all active today), half upgrading to 1.1.0 a week ago; frontend events. */
function seedSql(): string {
  const inst: string[] = [];
  const pings: string[] = [];
  const events: string[] = [];
  for (let i = 0; i < 40; i++) {
    const id = `30000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    inst.push(`(${q(id)}, 'acme', 0, 0, 1)`);
    for (let k = 13 - (i % 5); k >= 0; k--) {
      const version = i % 2 === 0 && k < 7 ? "1.1.0" : "1.0.0";
      const os = i % 3 === 0 ? "Darwin" : "Linux";
      const config = JSON.stringify({ ha: i % 4 === 0 });
      const counts = JSON.stringify({ users: i + 1 });
      pings.push(`(${q(`p-${i}-${k}`)}, ${q(id)}, 'acme', ${q(version)}, ${Date.parse(`${day(k)}T06:00:00Z`) + i}, ${q(day(k))}, ${q(os)}, 'x64', 'CE', 'DE', ${q(counts)}, ${q(config)})`);
    }
  }
  for (let k = 13; k >= 0; k--) {
    for (let s = 0; s < 3 + (k % 4); s++) {
      const t = Date.parse(`${day(k)}T09:00:00Z`) + s * 1000;
      events.push(`(${q(`e-${k}-${s}-a`)}, 'acme', '$pageview', ${t}, ${t}, ${q(day(k))}, ${q(`s-${k}-${s}`)}, '/flows', NULL)`);
      events.push(`(${q(`e-${k}-${s}-b`)}, 'acme', '$pageleave', ${t + 500}, ${t + 500}, ${q(day(k))}, ${q(`s-${k}-${s}`)}, '/flows', ${(s + 1) * 4000})`);
    }
  }
  return [
    `INSERT INTO instances (id, product, first_seen, last_seen, ping_count) VALUES ${inst.join(",")};`,
    ...chunks(pings, 200).map((c) => `INSERT INTO pings (uuid, instance_id, product, version, received_at, day, os_type, os_arch, license_type, country, counts, config) VALUES ${c.join(",")};`),
    `INSERT INTO events (uuid, product, event, timestamp, received_at, day, session_id, path, duration_ms) VALUES ${events.join(",")};`,
    `INSERT INTO releases (product, version, updated_at) VALUES ('acme', '1.1.0', 0);`,
  ].join("\n");
}
function chunks<T>(xs: T[], n: number): T[][] {
  return Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
}

let worker: DevWorker;
let context: BrowserContext;
let page: Page;
let persist: string;
let userData: string;
const hosts = new Set<string>();
const consoleErrors: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "client/build.mjs")], { cwd: ROOT });
  persist = mkdtempSync(path.join(tmpdir(), "candor-dash-"));
  prepareDatabase(persist, seedSql());
  worker = await startDev(8810, persist, TOKEN);
  userData = mkdtempSync(path.join(tmpdir(), "candor-dash-chromium-"));
  context = await chromium.launchPersistentContext(userData, {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (r) => hosts.add(new URL(r.url()).host));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes("401")) consoleErrors.push(m.text()); // the refused-token test logs a 401
  });
});

afterAll(async () => {
  await context?.close();
  await worker?.stop();
  if (persist) rmSync(persist, { recursive: true, force: true });
  if (userData) rmSync(userData, { recursive: true, force: true });
});

/** Non-transparent pixels per canvas on the page. */
function drawnPixels(): Promise<number[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll("canvas")).map((c) => {
      const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    }),
  );
}

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
    expect(await page.evaluate(() => [sessionStorage.getItem("candor.adminToken"), localStorage.length])).toEqual([TOKEN, 0]);
  });

  it("after scheduled(): figures and charts for the seeded product", async () => {
    expect((await fetch(`${worker.url}/__scheduled?cron=17+*+*+*+*`)).status).toBe(200);
    await page.reload();
    await expect.poll(() => page.locator(".kpi b").first().textContent(), { timeout: 20_000 }).toBe("40");
    expect(await page.locator("#product").inputValue()).toBe("acme");
    await expect.poll(async () => (await drawnPixels()).length, { timeout: 20_000 }).toBe(3);
    await expect.poll(async () => Math.min(...(await drawnPixels())), { timeout: 20_000 }).toBeGreaterThan(500);
    expect(await page.locator(".kpi span").nth(3).textContent()).toBe("on latest release 1.1.0");
    expect(await page.locator(".kpi b").nth(3).textContent()).toBe("50.0 %");
    mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "test-results/dashboard.png"), fullPage: true });
  });

  it("frontend view by keyboard: pageviews chart, top page and median time on page", async () => {
    await page.focus("#nav a[href='#/frontend']");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("main table.data td").first().textContent(), { timeout: 20_000 }).toBe("/flows");
    await expect.poll(async () => (await drawnPixels()).length).toBe(1);
    expect((await drawnPixels())[0]).toBeGreaterThan(500);
  });

  it("manages releases and alerts through the admin routes", async () => {
    await page.focus("#nav a[href='#/releases']");
    await page.keyboard.press("Enter");
    await page.locator("input[name=version]").waitFor();
    await page.fill("input[name=version]", "1.2.0");
    await page.fill("input[name=info]", "Faster flows");
    await page.locator("input[name=info]").press("Enter");
    await expect.poll(() => page.locator("main table.data tbody tr td").nth(1).textContent()).toBe("1.2.0");

    await page.focus("#nav a[href='#/alerts']");
    await page.keyboard.press("Enter");
    await page.locator("input[name=affects]").waitFor();
    await page.fill("input[name=affects]", "<1.1.0");
    await page.selectOption("select[name=level]", "critical");
    await page.fill("textarea[name=message]", "Please upgrade");
    await page.click("main form button[type=submit]");
    await expect.poll(() => page.locator("main table.data tbody tr td").nth(3).textContent()).toBe("Please upgrade");
    const alerts = await fetch(`${worker.url}/v1/admin/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await alerts.json()) as { alerts: Array<{ level: string }> }).alerts.map((a) => a.level)).toEqual(["critical"]);
  });

  it("fits a phone width and loads nothing from any other host", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${worker.url}/admin/#/overview`);
    await expect.poll(async () => (await drawnPixels()).length, { timeout: 20_000 }).toBe(3);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ROOT, "test-results/dashboard-phone.png"), fullPage: true });
    expect([...hosts]).toEqual(["127.0.0.1:8810"]);
    const res = await fetch(`${worker.url}/admin/`);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(consoleErrors).toEqual([]); // no CSP violation, no script error
  });
});
