import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { recordActivity } from "../../worker/store/activity";
import { database } from "../../worker/store/db";
import type { EventRow } from "../../worker/store/events";
import { writeEvents } from "../../worker/store/eventWrites";

/** The worker's real scheduled() handler, at a controlled time. */
export async function cron(at: number): Promise<void> {
  await worker.scheduled({ scheduledTime: at, cron: "17 * * * *", noRetry() {} }, env);
}

/** A fixed data set with hand-computed answers (see stats.test.ts). "Today" is 2026-10-15. */
export const NOW = Date.UTC(2026, 9, 15, 12, 0);
export const D = "2026-10-15";
export const D1 = "2026-10-14";
export const D2 = "2026-10-13";
export const D25 = "2026-09-20";
export const ID = {
  A: "aaaaaaaa-0000-4000-8000-000000000001",
  B: "bbbbbbbb-0000-4000-8000-000000000002",
  C: "cccccccc-0000-4000-8000-000000000003",
  D: "dddddddd-0000-4000-8000-000000000004",
  E: "eeeeeeee-0000-4000-8000-000000000005",
};
const at = (day: string, hour: number) => Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00Z`);

interface SeedPing {
  id: string;
  day: string;
  hour?: number;
  product?: string;
  version: string | null;
  os?: [string, string];
  license?: string;
  country?: string;
  env?: Record<string, string>;
  counts?: Record<string, number>;
  config?: Record<string, unknown>;
}

/** A drizzle statement as a D1 statement, for env.DB.batch next to raw ones. */
function prepared(q: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = q.toSQL();
  return env.DB.prepare(sql).bind(...params);
}

let n = 0;
/**
 * Inserts raw pings (and their instances) straight into D1, each merged into instance_activity
 * by the ingestion's own statement (store/activity.ts recordActivity), as every ping write does.
 */
export async function insertPings(list: SeedPing[]): Promise<void> {
  const db = database(env);
  const stmts = list.flatMap((p) => {
    const received = at(p.day, p.hour ?? 10) + n++;
    const uuid = crypto.randomUUID();
    return [
      env.DB.prepare(
        "INSERT OR IGNORE INTO instances (id, product, first_seen, last_seen, ping_count) VALUES (?, ?, ?, ?, 1)",
      ).bind(p.id, p.product ?? "acme", received, received),
      env.DB.prepare(
        `INSERT INTO pings (uuid, instance_id, product, version, received_at, day, os_type, os_arch, license_type,
          country, env, counts, config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        uuid,
        p.id,
        p.product ?? "acme",
        p.version,
        received,
        p.day,
        p.os?.[0] ?? null,
        p.os?.[1] ?? null,
        p.license ?? null,
        p.country ?? null,
        p.env ? JSON.stringify(p.env) : null,
        p.counts ? JSON.stringify(p.counts) : null,
        p.config ? JSON.stringify(p.config) : null,
      ),
      prepared(recordActivity(db, uuid)),
    ];
  });
  for (let i = 0; i < stmts.length; i += 50) await env.DB.batch(stmts.slice(i, i + 50));
}

/** Stores one event through the real event writer (D1 row, counters, R2 archive), received at 10:00 of its day. */
export async function insertEvent(e: {
  day: string;
  event: string;
  session?: string;
  distinct?: string;
  path?: string;
  t: number;
  durationMs?: number;
  product?: string;
}) {
  const row: EventRow = {
    uuid: crypto.randomUUID(),
    product: e.product ?? "acme",
    event: e.event,
    timestamp: at(e.day, 9) + e.t,
    receivedAt: at(e.day, 10),
    day: e.day,
    distinctId: e.distinct ?? null,
    sessionId: e.session ?? null,
    path: e.path ?? null,
    durationMs: e.durationMs ?? null,
  };
  await writeEvents(database(env), env.ARCHIVE, [row], at(e.day, 10));
}

async function insertFact(id: string, key: string, value: string, day: string) {
  await env.DB.prepare(
    "INSERT INTO facts (id, instance_id, kind, key, value, collected_at, received_at, day) VALUES (?, ?, 'feature', ?, ?, ?, ?, ?)",
  )
    .bind(crypto.randomUUID(), id, key, value, at(day, 8), at(day, 8), day)
    .run();
}

async function insertException(
  id: string,
  fp: string,
  type: string,
  message: string,
  version: string,
  day: string,
  hour: number,
) {
  await env.DB.prepare(
    `INSERT INTO exceptions (id, instance_id, fingerprint, type, message, version, collected_at, received_at, day)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(crypto.randomUUID(), id, fp, type, message, version, at(day, hour), at(day, hour), day)
    .run();
}

export async function seed(): Promise<void> {
  const linux64: [string, string] = ["Linux", "x64"];
  await insertPings([
    { id: ID.D, day: D25, version: "0.9.0", os: ["Windows_NT", "x64"] },
    { id: ID.A, day: D2, version: "1.0.0", os: linux64, license: "CE", country: "US" },
    { id: ID.B, day: D2, version: "1.0.0", os: ["Linux", "arm64"], license: "EE", country: "DE" },
    // A pings twice on D1: its last ping (20:00) is the one counted.
    { id: ID.A, day: D1, hour: 8, version: "1.0.0", os: linux64, license: "CE", country: "US", counts: { users: 999 } },
    {
      id: ID.A,
      day: D1,
      hour: 20,
      version: "1.1.0",
      os: linux64,
      license: "CE",
      country: "US",
      env: { nodejs: "v20.11.0", acme: "1.1.0" },
      counts: { users: 10, flows: 3 },
      config: { features: { projectComms: true, teamBroker: false }, ha: true },
    },
    {
      id: ID.B,
      day: D1,
      version: "1.0.0",
      os: ["Linux", "arm64"],
      license: "EE",
      country: "DE",
      env: { nodejs: "v18.19.0" },
      counts: { users: 2 },
      config: { features: { projectComms: false } },
    },
    {
      id: ID.C,
      day: D1,
      version: "1.1.0",
      os: ["Darwin", "arm64"],
      env: { nodejs: "v20.11.0" },
      counts: { users: 30, flows: 5 },
      config: { ha: false, name: "x" },
    },
    { id: ID.A, day: D, version: "1.1.0", os: linux64, license: "CE", country: "US" },
    { id: ID.C, day: D, version: "1.1.0", os: ["Darwin", "arm64"] },
    { id: ID.E, day: D1, product: "other", version: "7.0.0" },
  ]);
  await env.DB.prepare("INSERT INTO releases (product, version, updated_at) VALUES ('acme', '1.1.0', 0)").run();

  await insertFact(ID.A, "ui.theme", "dark", "2026-10-05");
  await insertFact(ID.A, "ui.theme", "light", D1);
  await insertFact(ID.B, "ui.theme", "dark", D2);

  await insertException(ID.A, "fp1", "TypeError", "x is undefined", "1.1.0", D1, 9);
  await insertException(ID.A, "fp1", "TypeError", "x is undefined", "1.1.0", D1, 11);
  await insertException(ID.B, "fp1", "TypeError", "x is undefined", "1.0.0", D1, 12);
  await insertException(ID.A, "fp1", "TypeError", "y is undefined", "1.1.0", D, 7);
  await insertException(ID.C, "fp2", "RangeError", "too deep", "1.1.0", D, 8);

  const s1 = { day: D1, session: "s1", distinct: "v1" };
  const s2 = { day: D1, session: "s2", distinct: "v2" };
  await insertEvent({ ...s1, event: "$pageview", path: "/", t: 1000 });
  await insertEvent({ ...s1, event: "$pageview", path: "/flows", t: 2000 });
  await insertEvent({ ...s1, event: "$pageleave", path: "/", t: 1900, durationMs: 10_000 });
  await insertEvent({ ...s1, event: "$pageleave", path: "/flows", t: 9000, durationMs: 30_400 });
  await insertEvent({ ...s2, event: "$pageview", path: "/flows", t: 1000 });
  await insertEvent({ ...s2, event: "$pageview", path: "/settings", t: 2000 });
  await insertEvent({ ...s2, event: "$pageview", path: "/flows", t: 3000 });
  await insertEvent({ ...s2, event: "$pageleave", path: "/flows", t: 1500, durationMs: 20_000 });
  await insertEvent({ ...s2, event: "$pageleave", path: "/settings", t: 2500, durationMs: 5_000 });
  await insertEvent({ ...s2, event: "deploy", t: 2600 });
  await insertEvent({ day: D1, session: "s3", distinct: "v1", event: "$pageview", path: "/", t: 500 });
  await insertEvent({ day: D, session: "s4", distinct: "v3", event: "$pageview", path: "/", t: 100 });
}

const series = (n: number) =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${Math.floor(n)})`;
/** n pings (and n instances) of one day in ONE statement each: ids are `${tag}` + a number; counts as given (raw JSON text). */
export async function bulkPings(o: {
  n: number;
  day: string;
  tag: string;
  product?: string;
  counts?: string;
}): Promise<void> {
  const id = `printf('%s-0000-4000-8000-%012d', ?1, x)`;
  await env.DB.batch([
    env.DB.prepare(
      `${series(o.n)} INSERT INTO instances (id, product, first_seen, last_seen, ping_count) SELECT ${id}, ?2, 0, 0, 1 FROM c`,
    ).bind(o.tag, o.product ?? "acme"),
    env.DB.prepare(
      `${series(o.n)} INSERT INTO pings (uuid, instance_id, product, version, received_at, day, counts)
        SELECT 'p-' || ?1 || '-' || x, ${id}, ?2, '1.0.0', ?3 + x, ?4, ?5 FROM c`,
    ).bind(o.tag, o.product ?? "acme", at(o.day, 10), o.day, o.counts ?? null),
  ]);
  await backfillActivity();
}

/**
 * Runs the migration that backfills instance_activity from raw pings (a merge: harmless over
 * rows already there), as a deploy over old data does; for seeds that insert pings in bulk.
 */
export async function backfillActivity(): Promise<void> {
  const m = env.TEST_MIGRATIONS.find((x) => x.name.endsWith("_backfill_instance_activity.sql"));
  if (!m) throw new Error("no backfill_instance_activity migration");
  const [first, ...rest] = m.queries.map((q) => env.DB.prepare(q));
  await env.DB.batch([first!, ...rest]);
}

/** n $pageview events of one day in ONE statement; uuids are `${tag}-${i}`. */
/**
 * n raw events of one day straight into D1, marked archived (as if the writer had stored them and
 * put their archive object; no counters, no object): retention tests only.
 */
export async function bulkEvents(o: { n: number; day: string; tag: string; product?: string }): Promise<void> {
  await env.DB.prepare(
    `${series(o.n)} INSERT INTO events (uuid, product, event, timestamp, received_at, day, session_id, path, archived)
      SELECT ?1 || '-' || x, ?2, '$pageview', ?3 + x, ?3 + x, ?4, 's-' || (x % 7), '/p' || (x % 3), 1 FROM c`,
  )
    .bind(o.tag, o.product ?? "acme", at(o.day, 10), o.day)
    .run();
}

/** Marks the rollups as built through `day` (so a run rebuilds only the recent days). */
export async function builtThrough(day: string): Promise<void> {
  await env.DB.prepare("INSERT OR REPLACE INTO rollup_state (name, built_through, built_at) VALUES ('daily', ?, 0)")
    .bind(day)
    .run();
}

/** The worker's fetch handler with extra vars (e.g. STATS_RAW_COMPARE), as the admin. */
export async function adminWithVars(path: string, vars: Record<string, string>): Promise<Response> {
  const request = new Request(`https://candor.test${path}`, {
    headers: { authorization: "Bearer test-admin-token", "cf-connecting-ip": "100.127.0.1" },
  });
  return worker.fetch(
    request as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...vars } as Env,
    createExecutionContext(),
  );
}
