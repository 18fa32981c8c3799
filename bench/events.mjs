// Storage per frontend event: `npm run bench:events`. Sends posthog-js-shaped capture batches (the
// recorded fixture, varied: uuids, sessions, visitors, paths, custom events with properties)
// through the real worker (Miniflare harness; BENCH_MODE=direct: one archive object per request,
// BENCH_MODE=queue: one per consumer batch; BENCH_EVENTS_D1_DAYS=0: no raw rows in D1;
// BENCH_VERSION_PER=event: sessions spanning versions, below)
// and, once it has stopped, measures with SQLite's dbstat what D1 holds per event (the events
// row and its indexes; event_seen and event_seen_slices, the distinct-count and entry/exit memory,
// unfiltered and per breakdown slice; event_ids, the dedupe horizon's uuids), the rollups' bytes,
// the R2 archive's bytes per 1,000 events (the blobs Miniflare keeps on disk are the objects'
// bytes) and the writer's time: the p50 and mean of a capture request of 50 events (direct mode:
// answered after the write committed). Prints one JSON line.
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startMiniflare } from "../test/harness/miniflare.ts";
import { d1File, migrateLocal, tempStateDir } from "../test/harness/localD1.ts";

const ROOT = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
/** "direct" (one archive object per request) or "queue" (one per consumer batch, product and day). */
const MODE = process.env.BENCH_MODE ?? "direct";
/** EVENTS_D1_DAYS for the run: "7" (wrangler.toml's default: raw rows in D1) or "0" (none). */
const D1_DAYS = process.env.BENCH_EVENTS_D1_DAYS ?? "7";
const PER_REQUEST = 50;
/**
 * "session" (default): a session's events carry one app version (a console does not change
 * version mid-session; 20 events a session, 5 versions); "event": every event another version, so
 * each session spans 5 breakdown slices (the worst case for event_seen_slices).
 */
const VERSION_PER = process.env.BENCH_VERSION_PER ?? "session";
const fixture = JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/posthog-batch.json"), "utf8")).batch[0];

let seq = 0;
const hex = (n, len) => n.toString(16).padStart(len, "0");
function event(i) {
  const n = seq++;
  const session = `01a201ac-3749-73ee-b280-${hex(Math.floor(n / 20), 12)}`;
  const visitor = `01a201ac-35dc-784c-9c73-${hex(Math.floor(n / 60), 12)}`;
  const kind = i % 10;
  const name = kind < 5 ? "$pageview" : kind < 9 ? "$pageleave" : "deploy_flow";
  const properties = {
    ...fixture.properties,
    token: "phc_candor_dev",
    distinct_id: visitor,
    $device_id: visitor,
    $session_id: session,
    $pathname: `/projects/${n % 40}/flows`,
    $current_url: `https://app.example.com/projects/${n % 40}/flows?tab=x`,
    candor_app_version: `2.${(VERSION_PER === "event" ? n : Math.floor(n / 20)) % 5}.0`,
    candor_license_type: Math.floor(n / 60) % 3 === 0 ? "EE" : "CE", // per visitor
    ...(name === "$pageleave" ? { $prev_pageview_duration: (n % 300) + 0.5 } : {}),
    ...(name === "deploy_flow" ? { target: n % 2 ? "prod" : "staging", nodes: n % 50 } : {}),
  };
  return { ...fixture, uuid: `01a201ac-3718-7237-8936-${hex(n, 12)}`, event: name, properties };
}

function dirBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

const persistTo = tempStateDir("candor-bench-events-");
migrateLocal(persistTo);
const worker = await startMiniflare({ persistTo, quiet: true, vars: { INGEST_MODE: MODE, EVENTS_D1_DAYS: D1_DAYS } });
const requestMs = [];
try {
  for (let r = 0; r < REQUESTS; r++) {
    const batch = Array.from({ length: PER_REQUEST }, (_, i) => event(i));
    const started = performance.now();
    const res = await fetch(`${worker.url}/batch/`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": `100.64.${r >> 8}.${r & 255}` },
      body: JSON.stringify({ api_key: "phc_candor_dev", batch }),
    });
    if (res.status !== 200) throw new Error(`capture answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    requestMs.push(performance.now() - started);
  }
  // Queue mode: wait until the local consumer has stored everything.
  for (let i = 0; i < 600; i++) {
    const [{ n }] = await worker.query("SELECT count(*) AS n FROM event_ids");
    if (n === REQUESTS * PER_REQUEST) break;
    await new Promise((r) => setTimeout(r, 200));
  }
} finally {
  await worker.stop();
}

const db = new DatabaseSync(d1File(persistTo), { readOnly: true });
const size = (names) =>
  db
    .prepare(`SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name IN (${names.map(() => "?").join(",")})`)
    .get(...names).b;
const indexes = (t) =>
  db
    .prepare("SELECT name FROM sqlite_master WHERE tbl_name = ? AND type = 'index'")
    .all(t)
    .map((r) => r.name);
const events = db.prepare("SELECT count(*) AS n FROM event_ids").get().n;
const rawRows = db.prepare("SELECT count(*) AS n FROM events").get().n;
const eventBytes = size(["events", ...indexes("events")]);
const eventIndexes = indexes("events").length;
const seenBytes = size(["event_seen", ...indexes("event_seen")]);
/** Absent before the breakdown slices existed (0). */
const seenSlicesBytes = size(["event_seen_slices", ...indexes("event_seen_slices")]);
const idBytes = size(["event_ids", ...indexes("event_ids")]);
const outboxBytes = size(["event_archive_pending", ...indexes("event_archive_pending")]);
const rollupBytes = size(
  db
    .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'rollup_%' OR name LIKE 'sqlite_autoindex_rollup_%'")
    .all()
    .map((r) => r.name),
);
db.close();
/** Miniflare keeps each R2 object's bytes as one file under v3/r2/<bucket>/blobs (metadata in SQLite beside). */
function blobBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += entry.name === "blobs" ? dirBytes(p) : blobBytes(p);
  }
  return total;
}
const r2Bytes = blobBytes(path.join(persistTo, "v3", "r2"));
const result = {
  mode: MODE,
  versionPer: VERSION_PER,
  eventsD1Days: Number(D1_DAYS),
  events,
  rawRowsInD1: rawRows,
  requests: REQUESTS,
  d1BytesPerEvent: Math.round(eventBytes / events),
  d1SeenBytesPerEvent: Math.round(seenBytes / events),
  d1IdBytesPerEvent: Math.round(idBytes / events),
  d1OutboxBytes: outboxBytes,
  d1SeenSlicesBytesPerEvent: Math.round(seenSlicesBytes / events),
  d1TotalBytesPerEvent: Math.round((eventBytes + seenBytes + seenSlicesBytes + idBytes) / events),
  d1RollupBytes: rollupBytes,
  r2BytesPer1000Events: Math.round((r2Bytes / events) * 1000),
  requestMsP50: Math.round([...requestMs].sort((a, b) => a - b)[Math.floor(requestMs.length / 2)] * 10) / 10,
  requestMsMean: Math.round((requestMs.reduce((a, b) => a + b, 0) / requestMs.length) * 10) / 10,
};
console.log(
  `${events} events in ${REQUESTS} requests, EVENTS_D1_DAYS=${D1_DAYS}: D1 ${result.d1BytesPerEvent} B/event (events + ${eventIndexes} indexes), event_seen ${result.d1SeenBytesPerEvent} B/event, event_seen_slices ${result.d1SeenSlicesBytesPerEvent} B/event, event_ids ${result.d1IdBytesPerEvent} B/event, total ${result.d1TotalBytesPerEvent} B/event; R2 archive ${result.r2BytesPer1000Events} B per 1,000 events (object bytes); rollups ${result.d1RollupBytes} B; a request of ${PER_REQUEST} events p50 ${result.requestMsP50} ms (mean ${result.requestMsMean} ms)`,
);
console.log(JSON.stringify(result));
rmSync(persistTo, { recursive: true, force: true });
