// npm run seed:demo : fills the LOCAL D1 of `npm run dev` (.wrangler/state, or --persist-to DIR)
// with a realistic month, then builds the rollups by running the worker's cron once:
// two products (flowforge ~2,000 installations, ledgerly ~700), releases every week or two with
// a realistic upgrade lag, OS / licence type / country mixes, platform counts and config flags,
// feature facts, exception groups (one new in the latest release), pageviews and custom events;
// a FerretDB product (its beacon's command results, some failing by version) and Sentry release
// health (sessions per release) for ledgerly; every release in the release history (markers).
// Deterministic (a seeded PRNG): the same day gives the same data. Rows are written as SQL
// through `wrangler d1 execute --local --file` (test/harness/localD1.ts).
import path from "node:path";
import { activityBackfillSql, executeSql, migrateLocal } from "../test/harness/localD1.ts";
import { startWranglerDev } from "../test/harness/wranglerDev.ts";
import { prng } from "../test/harness/prng.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DAYS = 30;
const DAY = 86_400_000;
const persistArg = process.argv.indexOf("--persist-to");
const persist = persistArg > 0 ? path.resolve(process.argv[persistArg + 1]) : undefined;

const rand = prng(0x5eed);
const pick = (weighted) => {
  let r = rand() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of weighted) if ((r -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
};
const q = (s) => (s === null ? "NULL" : `'${String(s).replaceAll("'", "''")}'`);
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const today = Date.parse(`${dayOf(Date.now())}T00:00:00Z`);
const uuid = () => "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(/x/g, () => Math.floor(rand() * 16).toString(16));

const products = [
  {
    name: "flowforge",
    installations: 2000,
    // [version, released k days ago]
    releases: [
      ["2.3.0", 60],
      ["2.4.0", 24],
      ["2.5.0", 11],
      ["2.5.1", 3],
    ],
  },
  {
    name: "ledgerly",
    installations: 700,
    releases: [
      ["6.0.0", 45],
      ["6.1.0", 16],
      ["6.2.0", 5],
    ],
  },
];

const rows = {
  instances: [],
  pings: [],
  facts: [],
  exceptions: [],
  events: [],
  releases: [],
  history: [],
  sessions: [],
};
for (const p of products) {
  const [latest, latestAgo] = p.releases[p.releases.length - 1];
  rows.releases.push(
    `(${q(p.name)}, ${q(latest)}, ${q("Demo release")}, NULL, ${today - latestAgo * DAY + 15 * 3600_000})`,
  );
  for (const [version, ago] of p.releases) {
    rows.history.push(`(${q(p.name)}, ${q(version)}, ${today - ago * DAY + 15 * 3600_000})`);
  }
  for (let i = 0; i < p.installations; i++) {
    const id = uuid();
    // Most installations predate the month; some arrive during it; a few leave.
    const start = rand() < 0.75 ? DAYS - 1 : Math.floor(rand() * DAYS);
    const end = rand() < 0.08 ? Math.floor(rand() * start) : 0;
    const lag = -Math.log(1 - rand()) * 6; // days to upgrade after a release (exponential, mean 6)
    const os = pick([
      [["Linux", "x64"], 62],
      [["Linux", "arm64"], 14],
      [["Darwin", "arm64"], 12],
      [["Windows_NT", "x64"], 12],
    ]);
    const license = pick([
      ["CE", 70],
      ["EE", 22],
      ["trial", 8],
    ]);
    const country = pick([
      ["DE", 24],
      ["US", 22],
      ["FR", 10],
      ["GB", 9],
      ["NL", 7],
      ["IN", 7],
      ["BR", 6],
      ["JP", 5],
      ["CA", 5],
      ["PL", 5],
    ]);
    const users = Math.max(1, Math.round(-Math.log(1 - rand()) * 12));
    const ha = rand() < 0.3;
    let first = null;
    let last = null;
    let version = null;
    let count = 0;
    for (let k = start; k >= end; k--) {
      if (rand() < 0.12) continue; // not every installation pings every day
      // never in the future: today's pings arrived before now
      const t = Math.min(
        today - k * DAY + Math.floor(rand() * 20 * 3600_000),
        Date.now() - 60_000 - Math.floor(rand() * 600_000),
      );
      // The newest release this installation had upgraded to by day k.
      version =
        p.releases.filter(([, ago]) => ago - lag >= k)[
          p.releases.filter(([, ago]) => ago - lag >= k).length - 1
        ]?.[0] ?? p.releases[0][0];
      first ??= t;
      last = t;
      count++;
      rows.pings.push(
        `(${q(uuid())}, ${q(id)}, ${q(p.name)}, ${q(version)}, ${t}, ${q(dayOf(t))}, ${q(os[0])}, ${q(os[1])}, ${q(license)}, ${q(country)}, ${q(JSON.stringify({ users: users + Math.floor((start - k) / 10), flows: users * 3 }))}, ${q(JSON.stringify({ ha }))}, NULL)`,
      );
      if (k === start || rand() < 0.02) {
        rows.facts.push(
          `(${q(uuid())}, ${q(id)}, 'feature', 'ui.theme', ${q(rand() < 0.35 ? "dark" : "light")}, ${t}, ${t}, ${q(dayOf(t))})`,
        );
      }
      if (rand() < 0.01) {
        const newInLatest = version === latest && rand() < 0.5;
        const [fp, type, message, stack] = newInLatest
          ? [
              "demo-export",
              "RangeError",
              "Invalid time value",
              "RangeError: Invalid time value\n    at formatDay (app/export.js:88:12)\n    at exportRows (app/export.js:40:5)",
            ]
          : rand() < 0.7
            ? [
                "demo-flows",
                "TypeError",
                "Cannot read properties of undefined (reading 'nodes')",
                "TypeError: Cannot read properties of undefined (reading 'nodes')\n    at runFlow (app/flows.js:120:14)\n    at Scheduler.tick (app/scheduler.js:42:9)",
              ]
            : [
                "demo-db",
                "Error",
                "connect ETIMEDOUT",
                "Error: connect ETIMEDOUT\n    at Pool.connect (app/db.js:17:11)",
              ];
        rows.exceptions.push(
          `(${q(uuid())}, ${q(id)}, ${q(fp)}, ${q(type)}, ${q(message)}, ${q(stack)}, ${q(version)}, ${t}, ${t}, ${q(dayOf(t))})`,
        );
      }
      // A few of them have the browser snippet: pageviews and custom events from the admin UI,
      // with the console's version and licence type, and the installation's country (as the
      // event writer resolves it from the event's instance reference).
      if (i % 10 === 0 && rand() < 0.6) {
        const session = uuid();
        // The console's user: one visitor per installation (its admin), the same every day.
        const visitor = `visitor-${id.slice(0, 8)}`;
        let te = t;
        for (const pagePath of ["/", "/flows", rand() < 0.5 ? "/settings" : "/flows/edit"]) {
          rows.events.push(
            `(${q(uuid())}, ${q(p.name)}, '$pageview', ${te}, ${te}, ${q(dayOf(te))}, ${q(visitor)}, ${q(session)}, ${q(pagePath)}, NULL, ${q(version)}, ${q(license)}, ${q(country)}, NULL)`,
          );
          // Time on the page (5 s to ~2.5 min), then its $pageleave.
          const stay = 5_000 + Math.floor(rand() * rand() * 150_000);
          te += stay;
          rows.events.push(
            `(${q(uuid())}, ${q(p.name)}, '$pageleave', ${te}, ${te}, ${q(dayOf(te))}, ${q(visitor)}, ${q(session)}, ${q(pagePath)}, ${stay}, ${q(version)}, ${q(license)}, ${q(country)}, NULL)`,
          );
          te += 1_000;
        }
        const custom = pick([
          ["flow_created", 5],
          ["export_done", 3],
          ["invite_sent", 1],
        ]);
        const props =
          custom === "export_done"
            ? {
                format: pick([
                  ["csv", 3],
                  ["pdf", 1],
                ]),
              }
            : custom === "flow_created"
              ? {
                  template: pick([
                    ["blank", 2],
                    ["webhook", 1],
                  ]),
                }
              : {};
        rows.events.push(
          `(${q(uuid())}, ${q(p.name)}, ${q(custom)}, ${t + 100_000}, ${t + 100_000}, ${q(dayOf(t + 100_000))}, ${q(visitor)}, ${q(session)}, '/flows', NULL, ${q(version)}, ${q(license)}, ${q(country)}, ${q(JSON.stringify(props))})`,
        );
      }
    }
    if (first === null) continue;
    rows.instances.push(
      `(${q(id)}, ${q(p.name)}, ${first}, ${last}, ${q(version)}, ${q(os[0])}, ${q(os[1])}, ${q(license)}, ${count})`,
    );
  }
}

// FerretDB: 150 installations reporting through its beacon; the command results of each ping
// (FerretDB's command_metrics, counters since start); $lookup and some admin commands fail on
// older versions.
const ferretReleases = [
  ["v2.5.0", 40],
  ["v2.6.0", 20],
  ["v2.7.0", 6],
];
rows.history.push(...ferretReleases.map(([v, ago]) => `('ferretdb', ${q(v)}, ${today - ago * DAY + 12 * 3600_000})`));
rows.releases.push(`('ferretdb', 'v2.7.0', NULL, NULL, ${today - 6 * DAY + 12 * 3600_000})`);
for (let i = 0; i < 150; i++) {
  const id = uuid();
  const lag = -Math.log(1 - rand()) * 8;
  const country = pick([
    ["US", 3],
    ["DE", 2],
    ["IN", 1],
  ]);
  let version = null;
  let first = null;
  let last = null;
  let count = 0;
  for (let k = DAYS - 1; k >= 0; k--) {
    if (rand() < 0.1) continue;
    // never in the future: today's pings arrived before now
    const t = Math.min(
      today - k * DAY + Math.floor(rand() * 20 * 3600_000),
      Date.now() - 60_000 - Math.floor(rand() * 600_000),
    );
    version = ferretReleases.filter(([, ago]) => ago - lag >= k).at(-1)?.[0] ?? "v2.4.0";
    const up = DAYS - k;
    const commands = [
      ["OP_MSG", "find", "", "ok", 900 * up],
      ["OP_MSG", "insert", "", "ok", 400 * up],
      ["OP_MSG", "aggregate", "$match", "ok", 120 * up],
    ];
    if (version < "v2.6.0") commands.push(["OP_MSG", "aggregate", "$lookup", "NotImplemented", 3 * up]);
    if (version < "v2.7.0" && i % 3 === 0) commands.push(["OP_MSG", "createIndexes", "", "CannotCreateIndex", up]);
    if (i % 7 === 0) commands.push(["OP_MSG", "getParameter", "featureCompatibilityVersion", "NotImplemented", 2]);
    first ??= t;
    last = t;
    count++;
    rows.pings.push(
      `(${q(uuid())}, ${q(id)}, 'ferretdb', ${q(version)}, ${t}, ${q(dayOf(t))}, 'linux', 'amd64', NULL, ${q(country)}, NULL, NULL, ${q(JSON.stringify(commands))})`,
    );
  }
  rows.instances.push(`(${q(id)}, 'ferretdb', ${first}, ${last}, ${q(version)}, 'linux', 'amd64', NULL, ${count})`);
}

// Sentry release health for ledgerly: sessions per release and day (a crash regression in 6.1.0).
for (let k = DAYS - 1; k >= 0; k--) {
  const t = Math.min(today - k * DAY + 12 * 3600_000, Date.now() - 60_000);
  for (const [version, ago, crashRate] of [
    ["6.0.0", 45, 0.004],
    ["6.1.0", 16, 0.031],
    ["6.2.0", 5, 0.006],
  ]) {
    if (k > ago) continue;
    const sessions = 200 + Math.floor(rand() * 80);
    const crashed = Math.round(sessions * crashRate * (0.6 + rand() * 0.8));
    rows.sessions.push(
      `(${q(uuid())}, 'ledgerly', ${q(version)}, ${t}, ${sessions}, ${Math.round(sessions * 0.02)}, ${crashed}, 0, ${t}, ${q(dayOf(t))})`,
    );
  }
}

/** Multi-row INSERTs of at most ~90 KB each (D1/SQLite refuse statements over 100 KB). */
function insert(head, list) {
  const out = [];
  let batch = [];
  let size = 0;
  for (const row of list) {
    if (size + row.length > 90_000 && batch.length > 0) {
      out.push(`INSERT INTO ${head} VALUES ${batch.join(",\n")};`);
      batch = [];
      size = 0;
    }
    batch.push(row);
    size += row.length + 2;
  }
  if (batch.length > 0) out.push(`INSERT INTO ${head} VALUES ${batch.join(",\n")};`);
  return out;
}
const sql = [
  ...insert(
    "instances (id, product, first_seen, last_seen, version, os_type, os_arch, license_type, ping_count)",
    rows.instances,
  ),
  ...insert(
    "pings (uuid, instance_id, product, version, received_at, day, os_type, os_arch, license_type, country, counts, config, commands)",
    rows.pings,
  ),
  ...insert("facts (id, instance_id, kind, key, value, collected_at, received_at, day)", rows.facts),
  ...insert(
    "exceptions (id, instance_id, fingerprint, type, message, stack, version, collected_at, received_at, day)",
    rows.exceptions,
  ),
  ...insert(
    "events (uuid, product, event, timestamp, received_at, day, distinct_id, session_id, path, duration_ms, app_version, license_type, country, props)",
    rows.events,
  ),
  ...insert(
    "release_sessions (id, product, version, started_at, sessions, errored, crashed, abnormal, received_at, day)",
    rows.sessions,
  ),
  `INSERT OR REPLACE INTO releases (product, version, info, url, updated_at) VALUES ${rows.releases.join(",")};`,
  `INSERT OR REPLACE INTO release_history (product, version, released_at) VALUES ${rows.history.join(",")};`,
  // Raw pings written straight into D1: their instance_activity, as a deploy over old data builds it.
  activityBackfillSql(),
].join("\n");

// The local D1 of `npm run dev` (.wrangler/state) unless --persist-to names another.
const persistTo = persist ?? path.join(ROOT, ".wrangler/state");
migrateLocal(persistTo);
executeSql(persistTo, sql);
console.log(
  `seeded ${rows.instances.length} installations, ${rows.pings.length} pings, ${rows.facts.length} facts, ${rows.exceptions.length} exceptions, ${rows.events.length} events`,
);

// Rollups: the worker's own cron, once (it backfills up to 31 days per run), on a free port.
const worker = await startWranglerDev({ persistTo });
try {
  await worker.scheduled();
  console.log("rollups built; `npm run dev` and open /admin/");
} finally {
  await worker.stop();
}
