import { mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import type {
  ActiveStats,
  EventStats,
  ExceptionStats,
  FactStats,
  FrontendStats,
  PlatformStats,
} from "../../schema/wire/stats.ts";
import { launchPersistentChromium, screenshotFile } from "../harness/browser.ts";
import type { RunningWorker } from "../harness/runningWorker.ts";
import { ROOT } from "../harness/wrangler.ts";
import { startWranglerDev } from "../harness/wranglerDev.ts";
import { charts } from "./dashboardSeed.ts";

/**
 * The dashboard on `npm run seed:demo`'s month (about 2,850 installations of three products,
 * 65,000 pings, releases, FerretDB command results, Sentry sessions), as a maintainer sees it:
 * every view at 1280 px and 390 px (full-page screenshots in test-results/demo-<view>-<width>.png),
 * the breakdown filters, the release markers and the source panels.
 */
const TOKEN = "demo-token-0123456789";
let worker: RunningWorker;
let context: BrowserContext;
let page: Page;
let state: string;
let userData: string;
const consoleErrors: string[] = [];
const kpi = (n = 0) => page.locator(".kpi b").nth(n).textContent();
const int = (s: string | null) => Number((s ?? "").replaceAll(",", ""));

/** Every panel of the view has answered and its charts are drawn. */
async function settled(): Promise<void> {
  await expect.poll(() => page.locator("main [aria-busy=true]").count(), { timeout: 30_000 }).toBe(0);
  await expect
    .poll(
      () =>
        page.evaluate(() => Array.from(document.querySelectorAll(".chart")).every((c) => c.querySelector("canvas"))),
      { timeout: 30_000 },
    )
    .toBe(true);
}

/** Opens a view by its URL and waits until it is shown and settled. */
async function open(hash: string): Promise<void> {
  // From a blank page: the same hash again must load the view anew (sessionStorage keeps the token).
  await page.goto("about:blank");
  await page.goto(`${worker.url}/admin/${hash}`);
  await page.locator(`main[data-route]`).waitFor();
  await settled();
}

/** Full-page screenshots at 1280 and 390 px; nothing wider than the window at either. */
async function shots(name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200))));
    await settled();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width}`).toBeLessThanOrEqual(
      width,
    );
    await page.screenshot({ path: await screenshotFile(`demo-${name}-${width}`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${worker.url}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "client/build.mjs")], { cwd: ROOT });
  state = mkdtempSync(path.join(tmpdir(), "candor-demo-"));
  // `npm run seed:demo` itself, into this test's own local D1 (it runs the cron once).
  execFileSync(process.execPath, [path.join(ROOT, "bench/seed-demo.mjs"), "--persist-to", state], {
    cwd: ROOT,
    stdio: "ignore",
  });
  worker = await startWranglerDev({ persistTo: state, adminToken: TOKEN });
  userData = mkdtempSync(path.join(tmpdir(), "candor-demo-chromium-"));
  context = await launchPersistentChromium(userData, { viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("dialog", (d) => void d.accept());
  page.on("console", (m) => {
    if (m.type() === "error" && !/\b500\b/.test(m.text())) consoleErrors.push(m.text()); // 500: the failing panel below
  });
  await page.goto(`${worker.url}/admin/`);
  await page.fill("#token", TOKEN);
  await page.keyboard.press("Enter");
  await page.locator("#nav").waitFor();
}, 300_000);

afterAll(async () => {
  await context?.close();
  await worker?.stop();
  for (const dir of [userData, state]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("dashboard on seed:demo data (wrangler dev + chromium)", () => {
  it("overview: headline figures, adoption with a marker per release of the range, distributions in installations", async () => {
    await open("#/overview?product=flowforge");
    expect(await page.locator("#product").inputValue()).toBe("flowforge");
    expect(int(await kpi())).toBeGreaterThan(1000);
    const markers = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>(".chart")).map((c) => c.dataset.markers ?? ""),
    );
    // 2.3.0 was released 60 days ago (outside the 30-day range); the three after it are marked.
    expect(markers[1]).toBe("2.4.0,2.5.0,2.5.1");
    const country = page.locator("[data-panel='Distribution'] section", { hasText: "Country" });
    expect(await country.locator("caption").textContent()).toMatch(
      /^Country of [\d,]+ installations on \d{4}-\d{2}-\d{2}$/,
    );
    // Distinct installations, not installation-days: the country rows sum to at most the headline's day.
    const perCountry = await country.locator("td[data-label='Installations']").allTextContents();
    expect(perCountry.map(int).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(int(await kpi()));
    expect(await page.locator("main .badge", { hasText: "new in 2.5.1" }).count()).toBe(1);
    await shots("overview");
  });

  it("filters change the figures (active-7/30 and facts too), stay in the URL, and unfilterable figures say so", async () => {
    await open("#/overview?product=flowforge");
    const all = int(await kpi());
    await page.selectOption("#f-country", "DE");
    await expect.poll(() => page.evaluate(() => location.hash)).toContain("country=DE");
    await settled();
    await expect.poll(async () => int(await kpi()), { timeout: 20_000 }).toBeLessThan(all);
    const de = int(await kpi());
    expect(de).toBeGreaterThan(0);
    // The figure is the API's, filtered: active-1 on the same day from /stats/active?country=DE.
    const hash = await page.evaluate(() => location.hash);
    const params = new URLSearchParams(hash.slice(hash.indexOf("?") + 1));
    const a = await api<ActiveStats>(`/v1/admin/stats/active?${params.toString()}`);
    expect(a.active1).toContain(de);
    expect(a.not_filtered).toEqual(["pings"]);
    expect(a.raw_missing_days).toEqual([]);
    expect(await page.locator("main .filtered").textContent()).toBe("Filtered: Country DE");
    // Active in 7 / 30 days, filtered: the API's figures on the headline's day (the last complete one).
    const today = new Date().toISOString().slice(0, 10);
    const i = a.days.at(-1) === today && a.days.length > 1 ? a.days.length - 2 : a.days.length - 1;
    expect(a.active1[i]).toBe(de);
    expect(int(await kpi(1))).toBe(a.active7[i]);
    expect(int(await kpi(2))).toBe(a.active30[i]);
    expect(a.active30[i]!).toBeGreaterThanOrEqual(a.active7[i]!);
    expect(a.active7[i]!).toBeGreaterThan(de);
    // Platform counts, exceptions and feature facts are filtered too (no "Not filtered" note; the
    // API's filtered figures).
    expect(await page.locator("[data-panel='Platform'] .note", { hasText: "Not filtered" }).count()).toBe(0);
    expect(await page.locator("[data-panel='Exceptions'] .note", { hasText: "Not filtered" }).count()).toBe(0);
    expect(await page.locator("[data-panel='Feature facts'] .note", { hasText: "Not filtered" }).count()).toBe(0);
    const unfiltered = new URLSearchParams(params);
    unfiltered.delete("country");
    const [facts, factsAll] = await Promise.all([
      api<FactStats>(`/v1/admin/stats/facts?${params.toString()}`),
      api<FactStats>(`/v1/admin/stats/facts?${unfiltered.toString()}`),
    ]);
    expect(facts.not_filtered).toEqual(["unattributed"]);
    expect(facts.facts.length).toBeGreaterThan(0);
    const factRows = page.locator("[data-panel='Feature facts'] table", { hasText: "facts" }).locator("tbody tr");
    expect(await factRows.count()).toBe(facts.facts.length);
    const shownFacts = (await factRows.locator("td[data-label='Installations']").allTextContents()).map(int);
    expect(shownFacts).toEqual(facts.facts.map((f) => f.installations[i]));
    const onDay = (x: FactStats) => x.facts.reduce((n, f) => n + (f.installations[i] ?? 0), 0);
    expect(onDay(facts)).toBeGreaterThan(0);
    expect(onDay(facts)).toBeLessThan(onDay(factsAll));
    const [p, pAll, e, eAll] = await Promise.all([
      api<PlatformStats>(`/v1/admin/stats/platform?${params.toString()}`),
      api<PlatformStats>(`/v1/admin/stats/platform?${unfiltered.toString()}`),
      api<ExceptionStats>(`/v1/admin/stats/exceptions?${params.toString()}`),
      api<ExceptionStats>(`/v1/admin/stats/exceptions?${unfiltered.toString()}`),
    ]);
    expect([p.not_filtered, e.not_filtered]).toEqual([[], []]);
    const reporting = int(
      await page
        .locator("[data-panel='Platform'] table", { hasText: "platform.counts" })
        .locator("tbody tr")
        .first()
        .locator("td[data-label='Reporting']")
        .textContent(),
    );
    expect(reporting).toBeGreaterThan(0);
    expect(p.counts[0]!.reporting).toContain(reporting);
    expect(reporting).toBeLessThan(Math.max(...pAll.counts[0]!.reporting));
    expect(e.groups.length).toBeGreaterThan(0);
    const reports = await page
      .locator("[data-panel='Exceptions'] table.data tbody tr")
      .first()
      .locator("td[data-label='Reports']")
      .textContent();
    expect(int(reports)).toBe(e.groups[0]!.occurrences);
    const sum = (x: ExceptionStats) => x.groups.reduce((n, g) => n + g.occurrences, 0);
    expect(sum(e)).toBeLessThan(sum(eAll));
    const countries = await page
      .locator("[data-panel='Distribution'] section", { hasText: "Country" })
      .locator("tbody tr")
      .count();
    expect(countries).toBe(1);
    await shots("overview-filtered");
    // A reload shows the same filtered view; a licence value in a distribution adds its filter.
    await page.reload();
    await page.locator("main[data-route]").waitFor(); // rendered again (an empty main is "settled" too)
    await settled();
    await expect.poll(() => page.locator("#f-country").inputValue()).toBe("DE");
    await expect.poll(async () => int(await kpi()), { timeout: 20_000 }).toBe(de);
    await page.locator("[data-panel='Distribution'] section", { hasText: "Licence type" }).locator("a").first().click();
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/license_type=\w+/);
    await settled();
    // The view re-renders after the hash changes: poll, as for the country filter above.
    await expect.poll(async () => int(await kpi()), { timeout: 20_000 }).toBeLessThan(de);
    await page.click("#clear-filters");
    await expect.poll(() => page.evaluate(() => location.hash)).not.toContain("country=");
    await expect.poll(async () => int(await kpi()), { timeout: 20_000 }).toBe(all);
  });

  it("a failing panel leaves the others intact", async () => {
    await page.route("**/v1/admin/stats/platform*", (r) =>
      r.fulfill({
        status: 500,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "internal", message: "Internal error." } }),
      }),
    );
    await open("#/overview?product=ledgerly");
    expect(await page.locator("[data-panel='Platform'] [role=alert]").textContent()).toContain(
      "Could not load platform",
    );
    expect(int(await kpi())).toBeGreaterThan(100);
    expect((await charts(page)).filter((c) => c.series > 20).length).toBeGreaterThanOrEqual(3);
    await page.unroute("**/v1/admin/stats/platform*");
  });

  it("Sentry release health: crash-free sessions by release, for the product that has sessions", async () => {
    await open("#/overview?product=ledgerly");
    expect(await page.locator("main h2", { hasText: "Release health" }).count()).toBe(1);
    const rows = await page.locator("table.data", { hasText: "release health" }).locator("tbody tr").allTextContents();
    expect(rows.map((r) => r.slice(0, 12))).toEqual([
      expect.stringContaining("6.2.0"),
      expect.stringContaining("6.1.0"),
      expect.stringContaining("6.0.0"),
    ]);
    expect(await page.locator("main h2", { hasText: "FerretDB" }).count()).toBe(0);
    await shots("ledgerly");
  });

  it("FerretDB: command failures by version", async () => {
    await open("#/overview?product=ferretdb");
    expect(await page.locator("main h2", { hasText: "FerretDB command failures" }).count()).toBe(1);
    const failures = await page.locator("table.data", { hasText: "command failures" }).textContent();
    expect(failures).toContain("aggregate $lookup");
    expect(failures).toContain("NotImplemented");
    expect(await page.locator("main h2", { hasText: "Release health" }).count()).toBe(0);
    await shots("ferretdb");
  });

  it("installations: country, OS and licence type of each; an installation's page", async () => {
    await open("#/installations?product=flowforge");
    await expect.poll(() => page.locator("main table.data tbody tr").count()).toBe(50);
    const first = page.locator("main table.data tbody tr").first();
    expect(await first.locator("td[data-label='Country']").textContent()).toMatch(/^[A-Z]{2}$/);
    expect(await first.locator("td[data-label='Licence type']").textContent()).toMatch(/^(CE|EE|trial)$/);
    await shots("installations");
    await first.locator("a").first().click();
    await page.locator("main[data-route^='installation/']").waitFor();
    await settled();
    expect(await page.locator("dl.facts").textContent()).toMatch(/Country \(last ping\)[A-Z]{2}/);
    await shots("installation");
    // The country filter applies to the list (the last ping's country).
    await open("#/installations?product=flowforge&country=DE");
    await expect.poll(() => page.locator("main table.data tbody tr").count()).toBeGreaterThan(0);
    expect(new Set(await page.locator("main table.data td[data-label='Country']").allTextContents())).toEqual(
      new Set(["DE"]),
    );
    expect(await page.locator("main .note").textContent()).toContain("the country of its last ping");
  });

  it("exception group, events, frontend, releases, alerts", async () => {
    await open("#/exception/demo-export?product=flowforge");
    expect(await page.locator("main .badge").textContent()).toBe("New in this release (2.5.1)");
    await shots("exception");
    await open("#/events?product=flowforge");
    expect(await page.locator("table.data tbody tr").first().textContent()).toContain("flow_created");
    await shots("events");
    await open("#/frontend?product=flowforge");
    expect(int(await kpi())).toBeGreaterThan(1000);
    await shots("frontend");
    await open("#/releases?product=flowforge");
    await shots("releases");
    await open("#/alerts?product=flowforge");
    await shots("alerts");
    expect(consoleErrors).toEqual([]);
  });

  it("frontend and custom events under a filter: the filtered API's figures, re-rendered, with no 'Not filtered' note", async () => {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const params = async () => {
      const hash = await page.evaluate(() => location.hash);
      return new URLSearchParams(hash.slice(hash.indexOf("?") + 1)).toString();
    };
    await open("#/frontend?product=flowforge");
    const all = int(await kpi());
    await page.selectOption("#f-country", "DE");
    await expect.poll(() => page.evaluate(() => location.hash)).toContain("country=DE");
    await settled();
    await expect.poll(async () => int(await kpi()), { timeout: 20_000 }).toBeLessThan(all);
    const f = await api<FrontendStats>(`/v1/admin/stats/frontend?${await params()}`);
    expect(f.filters).toEqual({ country: "DE" });
    expect(f.not_filtered).toEqual([]);
    expect(sum(f.pageviews)).toBeGreaterThan(0);
    expect(int(await kpi())).toBe(sum(f.pageviews));
    expect(await page.locator("[data-panel='Frontend'] .note").count()).toBe(0);
    expect(await page.locator("main .filtered").textContent()).toBe("Filtered: Country DE");
    await shots("frontend-filtered");

    await open("#/events?product=flowforge");
    const cell = () => page.locator("table.data tbody tr").first().locator("td[data-label='Events']").textContent();
    const allEvents = int(await cell());
    await page.selectOption("#f-license_type", "EE");
    await expect.poll(() => page.evaluate(() => location.hash)).toContain("license_type=EE");
    await settled();
    await expect.poll(async () => int(await cell()), { timeout: 20_000 }).toBeLessThan(allEvents);
    const e = await api<EventStats>(`/v1/admin/stats/events?${await params()}`);
    expect(e.not_filtered).toEqual([]);
    expect(e.events[0]!.total).toBeGreaterThan(0);
    expect(int(await cell())).toBe(e.events[0]!.total);
    expect(await page.locator("[data-panel='Custom events'] .note").count()).toBe(0);
    await shots("events-filtered");
    await page.click("#clear-filters");
    await expect.poll(async () => int(await cell()), { timeout: 20_000 }).toBe(allEvents);
  });

  it("release history: every release listed; one removed leaves the adoption chart's markers", async () => {
    await open("#/releases?product=flowforge");
    const history = page.locator("table.data", { hasText: "Releases of flowforge" });
    expect(await history.locator("tbody tr td[data-label='Version']").allTextContents()).toEqual([
      "2.3.0",
      "2.4.0",
      "2.5.0",
      "2.5.1",
    ]);
    await history.locator("tbody tr", { hasText: "2.5.0" }).locator("button").click(); // confirm() accepted
    await expect.poll(() => history.locator("tbody tr").count()).toBe(3);
    await open("#/overview?product=flowforge");
    const markers = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>(".chart")).map((c) => c.dataset.markers ?? ""),
    );
    expect(markers[1]).toBe("2.4.0,2.5.1");
    expect(await page.locator(".kpi span", { hasText: "on latest release 2.5.1" }).count()).toBe(1);
  });
});
