// `npm run bench:scale`: the deployment as deployed (INGEST_MODE=queue, PING_DAMPING on) under
// `wrangler dev` (workerd, local queue, D1 and R2) on this machine, side by side in one run:
//   1. ingest: POST /v1/ping req/s as a ratio of GET /v1/health, and capture events/s in 50-event
//      gzip batches (posthog-js's body), each with 0 lost once the queue drained (rows in D1);
//      Beside wall-clock rates, workerd's CPU per request (bench/workerdCpu.mjs), which shared
//      cores disturb far less;
//   2. consumer: rows/s and the queue's drain time after a burst 10x the ping phase;
//   3. storage: D1 bytes per installation-day and per event (SQLite dbstat, table + indexes), R2
//      bytes per 1,000 events (the archive bucket's objects, dead letters left out; "n/a" if none);
//   4. rollups: one day at each size (synthetic installations written straight into a fresh local
//      D1 file), the real cron through /__scheduled, timed, with D1's rows_read/rows_written per
//      rebuilt day from the worker's "rollup day rebuilt" log line (meta of the rebuild batch).
// Prints one table at the end and writes everything as JSON to test-results/bench-scale-<time>.json.
//
// Usage: npm run bench:scale -- [--requests 4000] [--concurrency 32] [--capture-requests 400]
//          [--sizes 10000,100000,1000000] [--history-days 0] [--skip-ingest] [--skip-rollups]
//          [--var NAME=value ...]
// --history-days H also seeds the H days before the measured one (every installation pinging
// daily), to show whether a day's rebuild reads its 30-day window (keep H * size modest: rows).
import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { gzipSync } from "node:zlib";
import { activityBackfillSql, d1File, migrateLocal, tempStateDir } from "../test/harness/localD1.ts";
import { startWranglerDev } from "../test/harness/wranglerDev.ts";
import { ROOT } from "../test/harness/wrangler.ts";
import { prng } from "../test/harness/prng.ts";
import { phase } from "./phase.mjs";
import { workerdCpuSeconds } from "./workerdCpu.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const REQUESTS = Number(opt("requests", 4000));
const CONCURRENCY = Number(opt("concurrency", 32));
const CAPTURE_REQUESTS = Number(opt("capture-requests", 400));
const SIZES = String(opt("sizes", "10000,100000,1000000"))
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const HISTORY_DAYS = Number(opt("history-days", 0));
// --var NAME=value (repeatable): wrangler.toml [vars] overrides for the ingest worker, to compare
// with the deployed defaults (e.g. --var INGEST_MODE=direct).
const VARS = Object.fromEntries(
  args.flatMap((a, i) => (a === "--var" && args[i + 1]?.includes("=") ? [args[i + 1].split(/=(.*)/s, 2)] : [])),
);
const DRAIN_DEADLINE_MS = 600_000;
const DAY = 86_400_000;
const clientIp = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * Polls `count()` (rows in the local D1 file) until it reaches `expected` or stops growing for
 * `DRAIN_DEADLINE_MS`; returns when the last row landed, counted from `since` (performance.now()).
 */
async function drain(count, expected, since) {
  let last = count();
  let lastChange = performance.now();
  const deadline = performance.now() + DRAIN_DEADLINE_MS;
  while (last < expected && performance.now() < deadline) {
    await sleep(50);
    const n = count();
    if (n !== last) [last, lastChange] = [n, performance.now()];
  }
  return { stored: last, drainMs: Math.max(0, lastChange - since) };
}

/** A read-only view of the worker's local D1 file (SQLite; safe next to workerd's writes). */
function openD1(persistTo) {
  const db = new DatabaseSync(d1File(persistTo), { readOnly: true });
  const one = (sql, ...binds) => db.prepare(sql).get(...binds);
  return { db, one, count: (sql, ...binds) => Number(Object.values(one(sql, ...binds))[0]) };
}

/** Bytes of tables and all their indexes (dbstat: pages as stored). */
function tableBytes(db, tables) {
  let bytes = 0;
  for (const t of tables) {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
    if (!exists) continue;
    const names = [
      t,
      ...db
        .prepare("SELECT name FROM sqlite_master WHERE tbl_name = ? AND type = 'index'")
        .all(t)
        .map((r) => r.name),
    ];
    bytes += Number(
      db
        .prepare(`SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name IN (${names.map(() => "?").join(",")})`)
        .get(...names).b,
    );
  }
  return bytes;
}

/** Bytes of the archive bucket's objects in the local R2 state (dead letters left out); null if none. */
function archiveBytes(persistTo) {
  const dir = path.join(persistTo, "v3/r2/miniflare-R2BucketObject");
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  } catch {
    return null;
  }
  let bytes = 0;
  let objects = 0;
  for (const f of files) {
    const db = new DatabaseSync(path.join(dir, f), { readOnly: true });
    try {
      const r = db
        .prepare(
          "SELECT count(*) AS n, coalesce(sum(size), 0) AS b FROM _mf_objects WHERE key NOT LIKE 'dead-letters/%'",
        )
        .get();
      objects += Number(r.n);
      bytes += Number(r.b);
    } catch {
      // not an object table
    } finally {
      db.close();
    }
  }
  return objects > 0 ? { bytes, objects } : null;
}

const PING = (i, product) => ({
  instanceId: randomUUID(),
  product,
  version: `1.${i % 7}.0`,
  os: { type: "Linux", release: "6.1", arch: "x64" },
  env: { nodejs: "v24.0.0" },
  platform: {
    counts: { users: i % 50, devices: i % 9, teams: 1 + (i % 5), projects: i % 40 },
    config: { broker: { enabled: i % 2 === 0 }, fileStore: { enabled: i % 3 === 0 } },
    license: { type: "EE" },
  },
});

const postPing = (url, i, product) =>
  fetch(`${url}/v1/ping`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": clientIp(i) },
    body: JSON.stringify(PING(i, product)),
  });

/** posthog-js's batch: 50 events (pageviews and leaves of one session), raw gzip as text/plain. */
function captureBody(i) {
  const session = randomUUID();
  const visitor = randomUUID();
  const batch = Array.from({ length: 50 }, (_, k) => ({
    uuid: randomUUID(),
    event: k % 2 === 0 ? "$pageview" : "$pageleave",
    timestamp: new Date().toISOString(),
    properties: {
      token: "phc_candor_dev",
      distinct_id: visitor,
      $device_id: visitor,
      $session_id: session,
      $window_id: session,
      $current_url: `https://console.example.com/team/t${i % 20}/instance/${k % 7}/editor?tab=${k}`,
      $host: "console.example.com",
      $pathname: `/team/t${i % 20}/instance/${k % 7}/editor`,
      $referrer: "$direct",
      $os: "Linux",
      $browser: "Chrome",
      $browser_version: 131,
      $device_type: "Desktop",
      $screen_width: 1920,
      $screen_height: 1080,
      $lib: "web",
      $lib_version: "1.449.2",
      $raw_user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0",
      ...(k % 2 === 1 ? { $prev_pageview_duration: 12.5 } : {}),
    },
  }));
  return gzipSync(JSON.stringify({ api_key: "phc_candor_dev", batch, sent_at: new Date().toISOString() }));
}

/** 1-3: ingest, consumer and storage against one wrangler dev as deployed. */
async function ingest() {
  const worker = await startWranglerDev({ vars: VARS, tmpRoot: process.env.BENCH_PERSIST_ROOT, quiet: true });
  const d1 = openD1(worker.persistTo);
  try {
    console.log(`\n[ingest] wrangler dev at ${worker.url}; ${REQUESTS} requests per phase, ${CONCURRENCY} clients`);
    await phase("warm-up", REQUESTS / 4, CONCURRENCY, () => fetch(`${worker.url}/v1/health`));
    await phase("warm-up ping", 200, CONCURRENCY, (i) => postPing(worker.url, 900_000 + i, "warmup"));
    const cpu = { pid: worker.pid };
    const health = await phase("GET /v1/health", REQUESTS, CONCURRENCY, () => fetch(`${worker.url}/v1/health`), cpu);

    // workerd's CPU from the phase's start until the queue drained: the answers plus the
    // consumer's writes, per request (the consumer runs in the same workerd here).
    const pingCpu0 = workerdCpuSeconds(worker.pid);
    const ping = await phase("POST /v1/ping", REQUESTS, CONCURRENCY, (i) => postPing(worker.url, i, "bench"), cpu);
    const pingUuids = ping.answers.map((a) => JSON.parse(a).uuid);
    const pingDrain = await drain(
      () => d1.count("SELECT count(*) FROM pings WHERE product = 'bench'"),
      pingUuids.length,
      ping.ended,
    );
    const storedUuids = new Set(
      d1.db
        .prepare("SELECT uuid FROM pings WHERE product = 'bench'")
        .all()
        .map((r) => r.uuid),
    );
    const pingLost = pingUuids.filter((u) => !storedUuids.has(u)).length;
    const pingCpuMs = ((workerdCpuSeconds(worker.pid) - pingCpu0) * 1000) / REQUESTS;

    const bodies = Array.from({ length: CAPTURE_REQUESTS }, (_, i) => captureBody(i));
    const captureCpu0 = workerdCpuSeconds(worker.pid);
    const capture = await phase(
      "POST /e/ (50 events, gzip)",
      CAPTURE_REQUESTS,
      CONCURRENCY,
      (i) =>
        fetch(`${worker.url}/e/?compression=gzip-js&ver=1.449.2`, {
          method: "POST",
          headers: { "content-type": "text/plain", "cf-connecting-ip": clientIp(200_000 + i) },
          body: bodies[i],
        }),
      cpu,
    );
    const acceptedEvents = capture.answers.reduce((n, a) => n + (JSON.parse(a).accepted ?? 0), 0);
    const captureDrain = await drain(
      () => d1.count("SELECT count(*) FROM events WHERE product = 'flowforge'"),
      acceptedEvents,
      capture.ended,
    );
    const captureCpuMs = ((workerdCpuSeconds(worker.pid) - captureCpu0) * 1000) / Math.max(1, acceptedEvents);

    // A burst 10x the ping phase, from 10x the clients: the consumer's rows/s while it drains.
    const BURST = REQUESTS * 10;
    const before = d1.count("SELECT count(*) FROM pings WHERE product = 'burst'");
    const burstStart = performance.now();
    const burst = await phase(`burst: ${BURST} pings`, BURST, CONCURRENCY * 10, (i) =>
      postPing(worker.url, 400_000 + i, "burst"),
    );
    const backlogAtEnd =
      burst.answers.length - (d1.count("SELECT count(*) FROM pings WHERE product = 'burst'") - before);
    const burstDrain = await drain(
      () => d1.count("SELECT count(*) FROM pings WHERE product = 'burst'") - before,
      burst.answers.length,
      burst.ended,
    );
    // Locally the consumer shares workerd (one isolate) with the requests, so while the burst is
    // answered it is starved; its own rate is the backlog left at the end over the drain time.
    const consumerRowsPerS =
      backlogAtEnd > 0 && burstDrain.drainMs > 0 ? backlogAtEnd / (burstDrain.drainMs / 1000) : null;
    const overallRowsPerS = burstDrain.stored / ((burst.ended + burstDrain.drainMs - burstStart) / 1000);

    const installations = d1.count("SELECT count(*) FROM instances");
    const pingsToday = d1.count("SELECT count(*) FROM pings");
    const events = d1.count("SELECT count(*) FROM events");
    const bytesPerInstallationDay = tableBytes(d1.db, ["pings", "instance_activity"]) / Math.max(1, pingsToday); // each pinged once today
    const bytesPerInstallation = tableBytes(d1.db, ["instances"]) / Math.max(1, installations);
    const bytesPerEvent = tableBytes(d1.db, ["events"]) / Math.max(1, events);
    const r2 = archiveBytes(worker.persistTo);
    return {
      healthRps: health.rps,
      // workerd CPU: per health request; per ping and per event from the phase's start until the
      // queue drained (answer + consumer). health / ping is the ratio one saturated core would give.
      cpu: {
        healthMs: health.cpuMs,
        pingMs: pingCpuMs,
        pingAnswerMs: ping.cpuMs,
        ratio: health.cpuMs / pingCpuMs,
        captureMsPerEvent: captureCpuMs,
        eventsPerCpuSecond: 1000 / captureCpuMs,
      },
      ping: {
        rps: ping.rps,
        ratio: ping.rps / health.rps,
        p50: ping.p50,
        p99: ping.p99,
        answered: pingUuids.length,
        errors: ping.errors,
        lost: pingLost,
        drainMs: pingDrain.drainMs,
      },
      capture: {
        rps: capture.rps,
        eventsPerS: (acceptedEvents * capture.rps) / CAPTURE_REQUESTS,
        accepted: acceptedEvents,
        errors: capture.errors,
        stored: captureDrain.stored,
        lost: acceptedEvents - captureDrain.stored,
        drainMs: captureDrain.drainMs,
      },
      burst: {
        requests: BURST,
        rps: burst.rps,
        answered: burst.answers.length,
        errors: burst.errors,
        backlogAtEnd,
        drainMs: burstDrain.drainMs,
        lost: burst.answers.length - burstDrain.stored,
        consumerRowsPerS,
        overallRowsPerS,
      },
      storage: {
        bytesPerInstallationDay,
        bytesPerInstallation,
        bytesPerEvent,
        r2BytesPer1000Events: r2 && events > 0 ? (r2.bytes / events) * 1000 : null,
        r2Objects: r2?.objects ?? 0,
      },
    };
  } finally {
    d1.db.close();
    await worker.stop();
  }
}

/**
 * `size` installations of product "scale", each with one ping on `day0` (and on the
 * `HISTORY_DAYS` days before it), written straight into the D1 file as the consumer would have:
 * instances and pings, then instance_activity built from them by the backfill migration's SQL.
 * Returns the pings written.
 */
function seedDay(file, size, day0) {
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
  const rand = prng(size);
  const insI = db.prepare(
    "INSERT INTO instances (id, product, first_seen, last_seen, version, os_type, os_arch, license_type, ping_count) VALUES (?, 'scale', ?, ?, ?, 'Linux', ?, ?, ?)",
  );
  const insP = db.prepare(`INSERT INTO pings (uuid, instance_id, idempotency_key, product, version, received_at, day,
    os_type, os_release, os_arch, env, counts, config, license_type, uptime, country, asn)
    VALUES (?, ?, NULL, 'scale', ?, ?, ?, 'Linux', '6.8.0-45-generic', ?, ?, ?, ?, ?, ?, ?, 3320)`);
  // One installation in 20 reports an exception on day0 (50 fingerprints): the exception rollups' input.
  const insX =
    db.prepare(`INSERT INTO exceptions (id, instance_id, fingerprint, type, message, version, collected_at, received_at, day)
    VALUES (?, ?, ?, 'Error', 'boom', ?, ?, ?, ?)`);
  const start0 = Date.parse(`${day0}T00:00:00Z`);
  let pings = 0;
  db.exec("BEGIN");
  for (let i = 0; i < size; i++) {
    const id = randomUUID();
    const version = `3.${Math.floor(rand() * 12)}.0`;
    const arch = rand() < 0.7 ? "x64" : "arm64";
    const license = rand() < 0.6 ? "CE" : "EE";
    insI.run(id, start0 - HISTORY_DAYS * DAY, start0 + 3_600_000, version, arch, license, HISTORY_DAYS + 1);
    for (let h = HISTORY_DAYS; h >= 0; h--) {
      const at = start0 - h * DAY + Math.floor(rand() * 3_600_000); // the first hour of each day
      const users = 1 + Math.floor(rand() * 40);
      insP.run(
        randomUUID(),
        id,
        version,
        at,
        dayOf(at),
        arch,
        JSON.stringify({ nodejs: "v22.9.0", flowforge: version }),
        JSON.stringify({ users, teams: 1 + (users >> 2), projects: users * 2, devices: users * 3 }),
        JSON.stringify({ driver: "docker", broker: { enabled: true }, ha: rand() < 0.2 }),
        license,
        Math.floor(rand() * 1e7),
        ["DE", "US", "GB", "FR", null][Math.floor(rand() * 5)],
      );
      pings++;
    }
    if (i % 20 === 0) insX.run(randomUUID(), id, `fp${i % 50}`, version, start0 + 1_800_000, start0 + 1_800_000, day0);
    if (i % 50_000 === 49_999) {
      db.exec("COMMIT");
      db.exec("BEGIN");
    }
  }
  db.exec("COMMIT");
  // instance_activity (and the states it keeps), as the deploy's backfill migration builds it
  // from raw pings: what the consumer would have kept up to date ping by ping.
  db.exec(activityBackfillSql());
  // The cron's backlog starts at built_through: mark every day before day0 built, so this run
  // rebuilds the recent days only (day0 and the two before it), as an hourly run does.
  db.prepare(
    "INSERT INTO rollup_state (name, built_through, built_at) VALUES ('daily', ?, 0) ON CONFLICT(name) DO UPDATE SET built_through = excluded.built_through",
  ).run(day0);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return { pings };
}

/** 4: the real cron on one day of `size` installations. */
async function rollupAt(size) {
  const persistTo = tempStateDir("candor-bench-scale-", process.env.BENCH_PERSIST_ROOT);
  try {
    migrateLocal(persistTo);
    const day0 = dayOf(Date.now());
    const t0 = performance.now();
    const { pings } = seedDay(d1File(persistTo), size, day0);
    const seedS = (performance.now() - t0) / 1000;
    console.log(
      `\n[rollups] ${size.toLocaleString()} installations: ${pings.toLocaleString()} pings seeded in ${seedS.toFixed(1)} s`,
    );
    const worker = await startWranglerDev({ persistTo, readyTimeoutMs: 600_000 });
    try {
      const t = performance.now();
      await worker.scheduled();
      const ms = performance.now() - t;
      const lines = worker
        .log()
        .split("\n")
        .filter((l) => l.includes('"rollup day rebuilt"') || l.includes('"rollup rebuild failed'))
        .map((l) => JSON.parse(l.slice(l.indexOf("{"))));
      const today = lines.find((l) => l.day === day0) ?? {};
      const failed = lines.filter((l) => l.msg?.startsWith("rollup rebuild failed"));
      const stats = await worker
        .admin(`/v1/admin/stats/active?product=scale&from=${day0}&to=${day0}`)
        .then((r) => r.json());
      const active = { active1: stats.active1?.[0], active7: stats.active7?.[0], active30: stats.active30?.[0] };
      console.log(
        `  cron run ${(ms / 1000).toFixed(1)} s; day ${day0}: rows_read ${today.rowsRead}, rows_written ${today.rowsWritten}, D1 ${today.d1Ms} ms (slowest table batch ${today.maxBatchMs} ms); failed days ${failed.length}; active ${JSON.stringify(active)}`,
      );
      console.log(`  D1 ms per table: ${JSON.stringify(today.tables ?? {})}`);
      return {
        size,
        historyDays: HISTORY_DAYS,
        seededPings: pings,
        cronMs: ms,
        day: day0,
        rowsRead: today.rowsRead ?? null,
        rowsWritten: today.rowsWritten ?? null,
        d1Ms: today.d1Ms ?? null,
        maxBatchMs: today.maxBatchMs ?? null,
        tables: today.tables ?? null,
        failedDays: failed.length,
        active,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}

const load = () => os.loadavg().map((x) => x.toFixed(2));
const result = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, loadBefore: load() },
  options: { REQUESTS, CONCURRENCY, CAPTURE_REQUESTS, SIZES, HISTORY_DAYS, VARS },
};
if (!flag("skip-ingest")) result.ingest = await ingest();
if (!flag("skip-rollups")) {
  result.rollups = [];
  for (const size of SIZES) result.rollups.push(await rollupAt(size));
}
result.machine.loadAfter = load();

const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : Number(x).toFixed(d));
const rows = [];
if (result.ingest) {
  const { ping, capture, burst, storage, healthRps, cpu } = result.ingest;
  rows.push(
    [
      "GET /v1/health (no work)",
      `${f(healthRps)} req/s`,
      Object.keys(VARS).length ? `vars ${JSON.stringify(VARS)}` : "",
    ],
    [
      `POST /v1/ping (${VARS.INGEST_MODE ?? "queue"}, damping ${VARS.PING_DAMPING ?? "on"})`,
      `${f(ping.rps)} req/s = ${f(ping.ratio, 2)} x health`,
      `aim >= 0.5; lost ${ping.lost}/${ping.answered}, drained ${f(ping.drainMs)} ms after`,
    ],
    [
      "capture, 50-event gzip batches",
      `${f(capture.eventsPerS)} events/s (${f(capture.rps)} req/s)`,
      `aim >= 10,000; lost ${capture.lost}/${capture.accepted}, drained ${f(capture.drainMs)} ms after`,
    ],
    [
      "workerd CPU per request",
      `health ${f(cpu.healthMs, 2)} ms, ping ${f(cpu.pingMs, 2)} ms = ${f(cpu.ratio, 2)} x health`,
      `ping answered ${f(cpu.pingAnswerMs, 2)} ms/req in its phase; consumer included until drained (same workerd)`,
    ],
    [
      "workerd CPU per event",
      `${f(cpu.captureMsPerEvent, 3)} ms = ${f(cpu.eventsPerCpuSecond)} events per CPU-second`,
      "capture answer + consumer until drained",
    ],
    [
      `burst ${burst.requests} pings (10x)`,
      `consumer ${f(burst.consumerRowsPerS)} rows/s draining`,
      `producer ${f(burst.rps)} req/s; ${f(burst.overallRowsPerS)} rows/s stored during it; backlog at end ${burst.backlogAtEnd}, drained in ${f(burst.drainMs)} ms; lost ${burst.lost}`,
    ],
    ["D1 bytes / installation-day", f(storage.bytesPerInstallationDay), "pings (+ instance_activity), rows + indexes"],
    ["D1 bytes / installation", f(storage.bytesPerInstallation), "instances row + indexes"],
    ["D1 bytes / event", f(storage.bytesPerEvent), "events rows + indexes (dbstat)"],
    [
      "R2 bytes / 1,000 events",
      f(storage.r2BytesPer1000Events),
      storage.r2Objects ? `${storage.r2Objects} archive objects` : "no archive objects",
    ],
  );
}
for (const r of result.rollups ?? []) {
  rows.push([
    `rollup day, ${r.size.toLocaleString()} pings/day${r.historyDays ? ` (+${r.historyDays} d history)` : ""}`,
    `${f(r.cronMs / 1000, 1)} s cron run`,
    `rows_read ${r.rowsRead ?? "n/a"} (D1 meta), written ${r.rowsWritten ?? "n/a"}, D1 ${f(r.d1Ms)} ms, slowest table batch ${f(r.maxBatchMs)} ms; failed days ${r.failedDays}`,
  ]);
}
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(
  `\nbench:scale (${result.machine.cpus} cores, load ${result.machine.loadBefore.join(" ")} -> ${result.machine.loadAfter.join(" ")})`,
);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
const dir = path.join(ROOT, "test-results");
mkdirSync(dir, { recursive: true });
const out = path.join(dir, `bench-scale-${result.at.replace(/[:.]/g, "-")}.json`);
writeFileSync(out, JSON.stringify(result, null, 2));
console.log(`\nJSON: ${path.relative(ROOT, out)}`);
const i = result.ingest;
if (i && (i.ping.lost || i.capture.lost || i.burst.lost)) process.exitCode = 1;
if ((result.rollups ?? []).some((r) => r.failedDays > 0)) process.exitCode = 1;
