// `npm run bench:stats`: ~1,000,000 pings over a year for 20,000 installations in a local D1,
// rollups built by the real scheduled() handler, then the 90-day version-adoption answer timed
// through the API from rollups and from raw rows (?source=raw). Prints both p50s and the ratio,
// the p50 of every stats route over 90 days (the filtered ones included: ?country=, ?license_type=,
// ?version=, on the frontend and events answers too),
// storage measured from the rows (bytes per ping / per event incl. indexes), and the dashboard's
// first-chart time after sign-in (headless Chromium: from pressing "Sign in" to the first chart's
// canvas). wrangler dev on a free port (test/harness/wranglerDev.ts).
// Env: BENCH_PINGS, BENCH_INSTANCES, BENCH_RUNS, BENCH_BROWSER_RUNS (0 skips the browser).
import { createHash, randomUUID } from "node:crypto";
import { rmSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { browserRefFromDigest, browserRefInput } from "../schema/wire/browserRef.ts";
import { activityBackfillSql, d1File, migrateLocal, tempStateDir } from "../test/harness/localD1.ts";
import { startWranglerDev } from "../test/harness/wranglerDev.ts";
import { launchChromium } from "../test/harness/browser.ts";
import { prng } from "../test/harness/prng.ts";

const PINGS = Number(process.env.BENCH_PINGS ?? 1_000_000);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BROWSER_RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 5);
const EVENTS = Math.round(PINGS / 5);
const TOKEN = "bench-token-0123456789";
const DAY = 86_400_000;

const rand = prng(42);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const today0 = Date.parse(`${dayOf(Date.now())}T00:00:00Z`);
const DAYS = 365;
const dayStart = (d) => today0 - (DAYS - 1 - d) * DAY; // d = 0 .. 364 (364 = today)

function seedDatabase(file) {
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
  // A release every 14 days: version 1.k.0 from day 14k; installations upgrade 0-45 days later.
  const versionOn = (d, lag) => `1.${Math.max(0, Math.floor((d - lag) / 14))}.0`;
  const inst = [];
  let activeDays = 0;
  for (let i = 0; i < INSTANCES; i++) {
    const born = Math.floor(rand() * DAYS);
    const end = Math.min(DAYS - 1, born + 30 + Math.floor(rand() * 400));
    const id = randomUUID();
    inst.push({
      id,
      ref: browserRefFromDigest(createHash("sha256").update(browserRefInput(id)).digest()), // as events carry it
      born,
      end,
      lag: Math.floor(rand() * 46),
      os: pick(["Linux", "Linux", "Linux", "Darwin", "Windows_NT"]),
      arch: pick(["x64", "x64", "arm64"]),
      license: pick(["CE", "CE", "EE", "DEV", null]),
      country: pick(["DE", "US", "GB", "FR", "NL", "IN", null]),
      node: pick(["v18.20.4", "v20.17.0", "v22.9.0"]),
      ha: rand() < 0.2,
    });
    activeDays += end - born + 1;
  }
  const p = Math.min(1, PINGS / activeDays);
  const insI = db.prepare(
    "INSERT INTO instances (id, product, first_seen, last_seen, version, os_type, os_arch, license_type, ping_count) VALUES (?, 'flowforge', ?, ?, ?, ?, ?, ?, 0)",
  );
  const insP =
    db.prepare(`INSERT INTO pings (uuid, instance_id, idempotency_key, product, version, received_at, day, os_type, os_release, os_arch,
    env, counts, config, license_type, uptime, country, asn) VALUES (?, ?, NULL, 'flowforge', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insE =
    db.prepare(`INSERT INTO events (uuid, product, event, timestamp, received_at, day, distinct_id, session_id, path, referrer_domain,
    browser, os, lib, lib_version, instance_ref, app_version, license_type, country, duration_ms, props)
    VALUES (?, 'flowforge', ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 'web', '1.449.2', ?, ?, ?, ?, ?, NULL)`);
  const pages = [
    "/team/:team/overview",
    "/team/:team/applications",
    "/instance/:id/editor",
    "/instance/:id/logs",
    "/account/settings",
    "/admin/users",
  ];
  const insX =
    db.prepare(`INSERT INTO exceptions (id, instance_id, fingerprint, type, message, version, collected_at, received_at, day)
    VALUES (?, ?, ?, 'Error', 'boom', ?, ?, ?, ?)`);
  const insF = db.prepare(
    "INSERT INTO facts (id, instance_id, kind, key, value, collected_at, received_at, day) VALUES (?, ?, 'feature', ?, ?, ?, ?, ?)",
  );
  // Facts have their own generator, so the pings and events above stay the data set they were.
  const factRand = prng(4343);
  let pings = 0;
  let facts = 0;
  db.exec("BEGIN");
  for (const x of inst)
    insI.run(x.id, dayStart(x.born), dayStart(x.end), versionOn(x.end, x.lag), x.os, x.arch, x.license);
  // Day by day and in time order within a day, as rows arrive in production (rowid order ~ time order).
  for (let d = 0; d < DAYS; d++) {
    const alive = inst.filter((x) => x.born <= d && d <= x.end);
    const today = alive
      .filter(() => rand() < p)
      .map((x) => ({ x, at: dayStart(d) + Math.floor(rand() * DAY) }))
      .sort((a, b) => a.at - b.at);
    for (const { x, at } of today) {
      const v = versionOn(d, x.lag);
      const users = 1 + Math.floor(rand() * 40);
      insP.run(
        randomUUID(),
        x.id,
        v,
        at,
        dayOf(at),
        x.os,
        "6.8.0-45-generic",
        x.arch,
        JSON.stringify({ nodejs: x.node, flowforge: v }),
        JSON.stringify({
          users,
          teams: 1 + (users >> 2),
          projects: users * 2,
          devices: users * 3,
          projectSnapshots: users * 5,
          projectTemplates: 2,
          projectStacks: 3,
          libraryEntries: users,
          sharedLibraryEntries: 1,
        }),
        JSON.stringify({
          driver: "docker",
          broker: { enabled: true },
          fileStore: { enabled: x.ha },
          email: { enabled: !x.ha },
          ha: x.ha,
        }),
        x.license,
        Math.floor(rand() * 1e7),
        x.country,
        3320,
      );
    }
    // Every 20th ping's installation reports an exception that day (40 fingerprints; a counter,
    // not rand(): the rest of the data set stays as it was).
    for (const { x, at } of today) {
      if (pings++ % 20 !== 0) continue;
      insX.run(randomUUID(), x.id, `fp${pings % 40}`, versionOn(d, x.lag), at + 1, at + 1, dayOf(at));
    }
    // Every 10th ping's installation reports a feature fact (2 keys, a few values each, about
    // 100,000 facts at 1M pings); one in 5 is received a few days after it was collected.
    for (const { x, at } of today) {
      if (facts++ % 10 !== 0) continue;
      const key = factRand() < 0.5 ? "ui.theme" : "db";
      const values = key === "db" ? ["sqlite", "postgres", "mysql"] : ["dark", "light", "auto", "contrast"];
      const value = values[Math.floor(factRand() * values.length)];
      const collected = factRand() < 0.2 ? at - Math.floor(factRand() * 5) * DAY : at;
      insF.run(randomUUID(), x.id, key, value, collected, at, dayOf(at));
    }
    const visits = Array.from({ length: alive.length > 0 ? Math.round(EVENTS / DAYS / 2) : 0 }, () => ({
      x: pick(alive),
      at: dayStart(d) + Math.floor(rand() * (DAY - 600_000)),
    })).sort((a, b) => a.at - b.at);
    for (const { x, at } of visits) {
      const [session, visitor, page, browser, v] = [
        randomUUID(),
        randomUUID(),
        pick(pages),
        pick(["Chrome", "Firefox", "Safari"]),
        versionOn(d, x.lag),
      ];
      insE.run(
        randomUUID(),
        "$pageview",
        at,
        at,
        dayOf(at),
        visitor,
        session,
        page,
        browser,
        "Mac OS X",
        x.ref,
        v,
        x.license,
        x.country, // the installation's, as the event writer resolves it
        null,
      );
      insE.run(
        randomUUID(),
        "$pageleave",
        at + 30_000,
        at + 30_000,
        dayOf(at),
        visitor,
        session,
        page,
        browser,
        "Mac OS X",
        x.ref,
        v,
        x.license,
        x.country,
        Math.floor(rand() * 300_000),
      );
    }
  }
  db.exec("COMMIT");
  db.exec(activityBackfillSql()); // raw pings inserted straight into D1: their instance_activity, as a deploy would build it
  const size = (names) =>
    db
      .prepare(`SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name IN (${names.map(() => "?").join(",")})`)
      .get(...names).b;
  const idx = (t) =>
    db
      .prepare("SELECT name FROM sqlite_master WHERE tbl_name = ? AND type = 'index'")
      .all(t)
      .map((r) => r.name);
  const pingBytes = size(["pings", ...idx("pings")]);
  const eventBytes = size(["events", ...idx("events")]);
  const events = db.prepare("SELECT count(*) AS n FROM events").get().n;
  db.close();
  return { pings, events, pingBytes, eventBytes };
}

let url;
const get = (p) => fetch(`${url}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function time(p, runs) {
  for (let i = 0; i < 3; i++) await (await get(p)).text(); // warm-up
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const res = await get(p);
    await res.json();
    if (!res.ok) throw new Error(`${p}: ${res.status}`);
    ms.push(performance.now() - t);
  }
  return ms;
}

/**
 * The dashboard as a maintainer opens it: a fresh browser context on /admin/, the token typed and
 * "Sign in" pressed; the time until the first chart's canvas is in the page (uPlot draws it once
 * the overview's first answers are in). p50 over `runs` fresh contexts.
 */
async function firstChart(base, runs) {
  const browser = await launchChromium();
  const ms = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}/admin/`);
      await page.fill("#token", TOKEN);
      const t = performance.now();
      await page.keyboard.press("Enter");
      await page.locator(".chart canvas").first().waitFor({ timeout: 60_000 });
      ms.push(performance.now() - t);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return p50(ms);
}

const persist = tempStateDir("candor-bench-stats-");
let dev;
try {
  migrateLocal(persist);
  const file = d1File(persist);
  let t = performance.now();
  const seeded = seedDatabase(file);
  console.log(
    `seeded ${seeded.pings.toLocaleString()} pings, ${seeded.events.toLocaleString()} events, ${INSTANCES.toLocaleString()} installations in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  console.log(
    `storage: ${(seeded.pingBytes / seeded.pings).toFixed(0)} bytes/ping, ${(seeded.eventBytes / seeded.events).toFixed(0)} bytes/event (rows + indexes, SQLite dbstat); file ${(statSync(file).size / 1e6).toFixed(0)} MB`,
  );

  dev = await startWranglerDev({
    persistTo: persist,
    adminToken: TOKEN,
    vars: { RETENTION_DAYS: "400", STATS_RAW_COMPARE: "true" },
    quiet: true,
  });
  url = dev.url;
  const to = dayOf(today0);
  const from = dayOf(today0 - 89 * DAY);
  const q = `product=flowforge&from=${from}&to=${to}`;
  t = performance.now();
  let runs = 0;
  for (; runs < 20; runs++) {
    await dev.scheduled();
    const { rollups } = await (await get("/v1/admin/stats/products")).json();
    if (rollups?.built_through === dayOf(today0)) break; // the backfill has caught up with today
  }
  console.log(
    `rollups: a year built in ${runs + 1} scheduled() runs, ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const rollup = await (await get(`/v1/admin/stats/versions?${q}`)).json();
  const raw = await (await get(`/v1/admin/stats/versions?${q}&source=raw`)).json();
  const same = JSON.stringify({ ...raw, source: "rollup" }) === JSON.stringify(rollup);
  console.log(
    `90-day version adoption (${from}..${to}): ${rollup.versions.length} versions; rollup answer ${same ? "==" : "!="} raw answer`,
  );
  if (!same) throw new Error("rollup and raw answers differ");
  // The breakdown cube against raw pings under the same filter (each day's last ping decides).
  const fq = `${q}&license_type=EE&country=DE`;
  const cube = await (await get(`/v1/admin/stats/versions?${fq}`)).json();
  const rawFiltered = await (await get(`/v1/admin/stats/versions?${fq}&source=raw`)).json();
  const sameFiltered = JSON.stringify({ ...rawFiltered, source: "rollup" }) === JSON.stringify(cube);
  console.log(`filtered (license_type=EE, country=DE): cube answer ${sameFiltered ? "==" : "!="} raw answer`);
  if (!sameFiltered) throw new Error("cube and raw answers differ");

  const fast = await time(`/v1/admin/stats/versions?${q}`, RUNS);
  const slow = await time(`/v1/admin/stats/versions?${q}&source=raw`, Math.max(5, Math.round(RUNS / 3)));
  const [a, b] = [p50(fast), p50(slow)];
  console.log(`p50 from rollups: ${a.toFixed(1)} ms (${fast.length} runs)`);
  console.log(`p50 from raw rows: ${b.toFixed(1)} ms (${slow.length} runs)`);
  console.log(`ratio: ${(b / a).toFixed(1)}x  (aim: rollup < 100 ms and >= 10x)`);
  // Every stats route over the same 90 days, then the filtered ones (breakdown cube).
  const routes = [
    ["products", "/v1/admin/stats/products"],
    ...["active", "versions", "distributions", "platform", "facts", "exceptions", "frontend", "events", "sessions"].map(
      (r) => [r, `/v1/admin/stats/${r}?${q}`],
    ),
    ["commands", `/v1/admin/stats/commands?${q}`],
    ["active country=DE", `/v1/admin/stats/active?${q}&country=DE`],
    ["versions license_type=EE", `/v1/admin/stats/versions?${q}&license_type=EE`],
    ["distributions country=DE", `/v1/admin/stats/distributions?${q}&country=DE`],
    ["distributions country=DE&license_type=CE", `/v1/admin/stats/distributions?${q}&country=DE&license_type=CE`],
    ["frontend country=DE", `/v1/admin/stats/frontend?${q}&country=DE`],
    ["frontend country=DE&license_type=CE", `/v1/admin/stats/frontend?${q}&country=DE&license_type=CE`],
    ["frontend version=1.20.0", `/v1/admin/stats/frontend?${q}&version=1.20.0`],
    ["events country=DE&license_type=CE", `/v1/admin/stats/events?${q}&country=DE&license_type=CE`],
    // Request-time from raw pings of the slice (medians are not additive).
    ["platform country=DE", `/v1/admin/stats/platform?${q}&country=DE`],
    ["platform country=DE&license_type=CE", `/v1/admin/stats/platform?${q}&country=DE&license_type=CE`],
    // Window figures under a filter: request-time from the raw pings of the range and the 29 days before.
    ["active country=DE&license_type=CE", `/v1/admin/stats/active?${q}&country=DE&license_type=CE`],
    ["facts country=DE", `/v1/admin/stats/facts?${q}&country=DE`],
    // rollup_exceptions (version) and rollup_exception_slices (licence / country).
    ["exceptions version=1.20.0", `/v1/admin/stats/exceptions?${q}&version=1.20.0`],
    ["exceptions country=DE", `/v1/admin/stats/exceptions?${q}&country=DE`],
    ["exceptions/fp1", `/v1/admin/stats/exceptions/fp1?${q}`],
    ["exceptions/fp1 country=DE", `/v1/admin/stats/exceptions/fp1?${q}&country=DE`],
  ];
  console.log(`p50 per stats route (90 days, ${Math.max(5, Math.round(RUNS / 3))} runs each):`);
  for (const [name, path] of routes) {
    console.log(`  ${name.padEnd(44)} ${p50(await time(path, Math.max(5, Math.round(RUNS / 3)))).toFixed(1)} ms`);
  }
  if (BROWSER_RUNS > 0)
    console.log(
      `dashboard first chart after sign-in, p50: ${(await firstChart(url, BROWSER_RUNS)).toFixed(0)} ms (${BROWSER_RUNS} runs, headless Chromium)`,
    );
  if (!(a < 100 && b / a >= 10)) process.exitCode = 1;
  await dev.stop();
  // workerd may hold its lock a moment after stop: wait for it rather than fail ("database is locked").
  const db = new DatabaseSync(file, { readOnly: true, timeout: 30_000 });
  const r = db
    .prepare(
      "SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name LIKE 'rollup%' OR name LIKE 'sqlite_autoindex_rollup%'",
    )
    .get();
  const rows = db
    .prepare(
      "SELECT (SELECT count(*) FROM rollup_dims) + (SELECT count(*) FROM rollup_metrics) + (SELECT count(*) FROM rollup_active) + (SELECT count(*) FROM rollup_pages) + (SELECT count(*) FROM rollup_frontend) + (SELECT count(*) FROM rollup_cube) + (SELECT count(*) FROM rollup_frontend_slices) + (SELECT count(*) FROM rollup_pages_slices) AS n, (SELECT count(*) FROM rollup_cube) AS cube, (SELECT count(*) FROM rollup_frontend_slices) + (SELECT count(*) FROM rollup_pages_slices) AS slices",
    )
    .get();
  db.close();
  console.log(
    `rollups: ${(r.b / DAYS / 1024).toFixed(1)} KB/day for one product (${Math.round(rows.n / DAYS)} rows/day, of which ${Math.round(rows.cube / DAYS)} in the breakdown cube and ${Math.round(rows.slices / DAYS)} in the frontend slices; incl. indexes)`,
  );
} finally {
  await dev?.stop();
  rmSync(persist, { recursive: true, force: true });
}
