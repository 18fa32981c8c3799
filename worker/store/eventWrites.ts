import { sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import {
  eventArchivePending,
  eventArchiveRefs,
  eventIds,
  events,
  eventSeen,
  eventSeenSlices,
  eventsIncoming,
  instanceActivity,
  instances,
  rollupEventProps,
  rollupEventPropsSlices,
  rollupEvents,
  rollupEventsSlices,
  rollupFrontend,
  rollupFrontendSlices,
  rollupPages,
  rollupPagesSlices,
} from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { eventJsonChunks, jsonField, selectFromJson, type EventRow } from "./events";
import { columnList } from "./jsonStage";
import { ARCHIVE_COLUMNS, putPendingObjects, writeDigest, type PendingObject } from "./eventArchive";
import { erasedAfter } from "./eventErasure";
import { addDays, utcDay } from "../lib/time";
import { durationBucketSql } from "./rollupEventsSql";
import { FULL_SLICE_KEYS, SLICE_KEYS, slicedRows } from "./eventSlices";

/**
 * Storing events, the one writer of the direct capture path and the queue consumer:
 *
 * 1. the rows' uuids are looked up (one read): rows already stored are dropped, and the digest
 *    of the rest names this write's archive objects;
 * 2. per byte-bounded chunk (store/events.ts), ONE transaction: the chunk's rows whose uuid is
 *    not in `event_ids` (the dedupe horizon, EVENT_DEDUPE_DAYS) nor in `events`, and whose
 *    installation was not erased after they were received (`erased_refs`: a message still queued
 *    at the erase, or redelivered, brings nothing back), are staged in
 *    `events_incoming` (duplicates inside the chunk once), given their installation's country,
 *    and the counters of their day are incremented FROM THE STAGED ROWS ONLY (rollup_frontend,
 *    rollup_pages, rollup_events, rollup_event_props; sessions and visitors through `event_seen`;
 *    time-on-page histograms merged into the JSON columns; entries and exits moved when a
 *    session's first or last `$pageview` changes), and the same per breakdown slice
 *    (rollup_*_slices, event_seen_slices: store/eventSlices.ts), their uuids go to `event_ids`, the outbox row of their archive
 *    object (with its lines) and the browser references it holds (event_archive_refs, for
 *    erasure) are written, the rows move to `events` (unless EVENTS_D1_DAYS = 0) and the stage
 *    is emptied. A redelivery, a client retry or a concurrent writer of the same uuid stages
 *    nothing, so it adds 0 everywhere;
 * 3. the archive objects (gzip NDJSON, store/eventArchive.ts) are put to R2, then their outbox
 *    rows deleted; a put that fails leaves them for the cron (flushPendingArchive).
 *
 * Every counter is a sum over the day's rows (or, for entries and exits, a function of each
 * session's extreme views, which the session row keeps), so any split of the rows into writes,
 * in any order, ends with what the cron's rebuild computes from them (rollupEventsSql.ts). Left
 * to the cron: the top-500 page and top-N property trims, and only when D1 keeps raw events.
 */

/**
 * Days a stored event's uuid is remembered (`event_ids`): today and the 4 days before, so a
 * message the queue delivers as late as its default retention allows (4 days: Cloudflare
 * Queues' default message retention) or a client resend within that time adds nothing. A uuid
 * resent later than that (a dead letter replayed after a week) is stored, counted and archived
 * again, unless `events` (EVENTS_D1_DAYS) still holds it.
 */
export const EVENT_DEDUPE_DAYS = 5;

/** The days of the dedupe horizon ending with the day of `now` (pure). */
export function dedupeDays(now: number): string[] {
  const today = utcDay(now);
  return Array.from({ length: EVENT_DEDUPE_DAYS }, (_, i) => addDays(today, -i));
}

/** The first day the cron keeps in `event_ids` (older days are deleted). */
export function dedupeFrom(today: string): string {
  return addDays(today, -(EVENT_DEDUPE_DAYS - 1));
}

/** A uuid's 16 bytes, in SQL (uuids are 32 hex digits, canonical with dashes: pipeline/events). */
const uuidBytes = (column: SQL) => sql`unhex(replace(${column}, '-', ''))`;

/** The horizon's days as an SQL list of literals (computed, never client input: YYYY-MM-DD). */
function dayList(days: string[]): SQL {
  for (const d of days) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`not a day: ${d}`);
  return sql.raw(days.map((d) => `'${d}'`).join(", "));
}

/** Every column of an event row, by SQL name. */
const eventColumnList = columnList(eventsIncoming);

/** uuids per existence read: 36-byte uuids as one JSON value, far under D1's 2,000,000 bytes. */
const UUIDS_PER_READ = 20_000;

/** `k1, k2, ` of a scope's keys, each prefixed with `alias.` when given (empty for the unfiltered scope). */
const keyList = (keys: string[], alias = "") => sql.raw(keys.map((k) => `${alias ? `${alias}.` : ""}${k}, `).join(""));
/** ` AND a.k1 = b.k1 ...` over a scope's keys. */
const keysEqual = (keys: string[], a: string, b: string) =>
  sql.raw(keys.map((k) => ` AND ${a}.${k} = ${b}.${k}`).join(""));

/**
 * Where a set of counters reads the staged rows and writes: the unfiltered rollups read
 * `events_incoming` itself; the breakdown slices read its expansion into slices
 * (store/eventSlices.ts), with the slice columns as extra keys after (product, day). `seenSrc` /
 * `seenKeys`: the rows and keys of the scope's seen table (event_seen_slices keeps full slices
 * only); `seenMatch(s, r)`: the condition under which seen row `s` counts for a row `r` of `src`.
 */
interface Scope {
  src: SQL;
  keys: string[];
  frontend: typeof rollupFrontend | typeof rollupFrontendSlices;
  pages: typeof rollupPages | typeof rollupPagesSlices;
  seen: typeof eventSeen | typeof eventSeenSlices;
  seenSrc: SQL;
  seenKeys: string[];
  seenMatch: (s: string, r: string) => SQL;
}

const unfiltered: Scope = {
  src: sql`${eventsIncoming}`,
  keys: [],
  frontend: rollupFrontend,
  pages: rollupPages,
  seen: eventSeen,
  seenSrc: sql`${eventsIncoming}`,
  seenKeys: [],
  seenMatch: () => sql``,
};
const sliced: Scope = {
  src: slicedRows(sql`${eventsIncoming}`, sql`true`, "every"),
  keys: SLICE_KEYS,
  frontend: rollupFrontendSlices,
  pages: rollupPagesSlices,
  seen: eventSeenSlices,
  seenSrc: slicedRows(sql`${eventsIncoming}`, sql`true`, "full"),
  seenKeys: FULL_SLICE_KEYS,
  // A full-slice row counts for a slice when it agrees on every column the slice fixes.
  seenMatch: (s, r) =>
    sql.raw(
      ` AND (${r}.pinned & 1 = 0 OR ${s}.app_version = ${r}.app_version)` +
        ` AND (${r}.pinned & 2 = 0 OR ${s}.license_type = ${r}.license_type)` +
        ` AND (${r}.pinned & 4 = 0 OR ${s}.country = ${r}.country)`,
    ),
};
/** The seen rows' own scope: full slices, kept per (session, full slice) (their first/last views). */
const seenFull: Scope = {
  ...sliced,
  src: sliced.seenSrc,
  keys: FULL_SLICE_KEYS,
  seenMatch: (s, r) => keysEqual(FULL_SLICE_KEYS, s, r),
};

/**
 * The counting statements of the staged rows, in the order they must run (before the move). They
 * bind no parameter: drizzle batches a raw `db.run(sql)` only when it has none.
 */
function counterStatements(): SQL[] {
  const inc = eventsIncoming;
  const custom = sql`substr(event, 1, 1) <> '$'`;
  const full = slicedRows(sql`${inc}`, sql`substr(e.event, 1, 1) <> '$'`, "full");
  return [
    ...frontendStatements(unfiltered),
    ...frontendStatements(sliced),
    sql`INSERT INTO ${rollupEvents} (product, day, event, app_version, count)
      SELECT product, day, event, coalesce(app_version, ''), count(*) FROM ${inc}
      WHERE ${custom} GROUP BY product, day, event, coalesce(app_version, '')
      ON CONFLICT (product, day, event, app_version) DO UPDATE SET count = count + excluded.count`,
    sql`INSERT INTO ${rollupEventProps} (product, day, event, key, value, count)
      SELECT i.product, i.day, i.event, j.key, CAST(j.value AS TEXT) AS v, count(*)
      FROM ${inc} i, json_each(i.props) j WHERE ${custom} AND i.props IS NOT NULL
      GROUP BY i.product, i.day, i.event, j.key, v
      ON CONFLICT (product, day, event, key, value) DO UPDATE SET count = count + excluded.count`,
    sql`INSERT INTO ${rollupEventsSlices} (product, day, event, app_version, license_type, country, count)
      SELECT product, day, event, app_version, license_type, country, count(*) FROM ${full} WHERE true
      GROUP BY product, day, event, app_version, license_type, country
      ON CONFLICT (product, day, event, app_version, license_type, country) DO UPDATE SET count = count + excluded.count`,
    sql`INSERT INTO ${rollupEventPropsSlices} (product, day, event, app_version, license_type, country, key, value, count)
      SELECT i.product, i.day, i.event, i.app_version, i.license_type, i.country, j.key, CAST(j.value AS TEXT) AS v, count(*)
      FROM ${full} i, json_each(i.props) j WHERE i.props IS NOT NULL
      GROUP BY i.product, i.day, i.event, i.app_version, i.license_type, i.country, j.key, v
      ON CONFLICT (product, day, event, app_version, license_type, country, key, value) DO UPDATE SET count = count + excluded.count`,
  ];
}

/** rollup_frontend, the seen sessions/visitors, rollup_pages, durations, entries and exits of one scope. */
function frontendStatements(c: Scope): SQL[] {
  const k = keyList(c.keys);
  const sk = keyList(c.seenKeys);
  const ik = keyList(c.keys, "i");
  /** Distinct ids of kind `k` in the stage not yet counted for their product, day (and slice). */
  const fresh = (column: SQL, kind: "s" | "v") =>
    sql`(SELECT count(DISTINCT ${column}) FROM ${c.src} i2 WHERE i2.product = i.product AND i2.day = i.day${keysEqual(c.keys, "i2", "i")}
      AND ${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${c.seen} s
        WHERE s.day = i2.day AND s.product = i2.product AND s.kind = ${sql.raw(`'${kind}'`)} AND s.id = ${column}${c.seenMatch("s", "i2")}))`;
  return [
    sql`INSERT INTO ${c.frontend} (product, day, ${k}events, pageviews, pageleaves, sessions, visitors, durations)
      SELECT i.product, i.day, ${ik}count(*), sum(i.event = '$pageview'), sum(i.event = '$pageleave'),
        ${fresh(sql.raw("i2.session_id"), "s")}, ${fresh(sql.raw("i2.distinct_id"), "v")}, NULL
      FROM ${c.src} i WHERE true GROUP BY ${ik}i.product, i.day
      ON CONFLICT (product, day${sql.raw(c.keys.map((x) => `, ${x}`).join(""))}) DO UPDATE SET events = events + excluded.events,
        pageviews = pageviews + excluded.pageviews, pageleaves = pageleaves + excluded.pageleaves,
        sessions = sessions + excluded.sessions, visitors = visitors + excluded.visitors`,
    sql`INSERT OR IGNORE INTO ${c.seen} (day, product, ${sk}kind, id)
      SELECT DISTINCT day, product, ${sk}'s', session_id FROM ${c.seenSrc} WHERE session_id IS NOT NULL
      UNION SELECT DISTINCT day, product, ${sk}'v', distinct_id FROM ${c.seenSrc} WHERE distinct_id IS NOT NULL`,
    sql`INSERT INTO ${c.pages} (product, day, ${k}path, pageviews, entries, exits, leaves, durations)
      SELECT product, day, ${k}coalesce(path, ''), sum(event = '$pageview'), 0, 0, sum(event = '$pageleave'), NULL
      FROM ${c.src} WHERE event IN ('$pageview', '$pageleave') GROUP BY product, day, ${k}coalesce(path, '')
      ON CONFLICT (product, day, ${k}path) DO UPDATE SET pageviews = pageviews + excluded.pageviews,
        leaves = leaves + excluded.leaves`,
    ...durationStatements(c),
    ...(c === unfiltered ? entryExitStatements(c) : slicedEntryExitStatements()),
  ];
}

/** A histogram merge: the JSON object `a` plus `b`, key by key, keys in text order (as json_group_object over a GROUP BY gives them). */
function mergeHistograms(a: SQL, b: SQL): SQL {
  return sql`(SELECT json_group_object(key, n) FROM (SELECT key, sum(value) AS n FROM (
    SELECT key, value FROM json_each(coalesce(${a}, '{}')) UNION ALL SELECT key, value FROM json_each(${b}))
    GROUP BY key))`;
}

/**
 * Time-on-page histograms of the staged `$pageleave`s merged into the scope's frontend and pages
 * durations (the buckets of the cron's rebuild, `durationBucketSql`): a histogram is a count per
 * bucket, so merging the staged rows' histogram is exact in any order.
 */
function durationStatements(c: Scope): SQL[] {
  const k = keyList(c.keys);
  const leaves = (keys: string) =>
    sql`SELECT ${sql.raw(keys)}, json_group_object(b, n) AS h FROM (
      SELECT ${sql.raw(keys)}, ${durationBucketSql} AS b, count(*) AS n FROM (
        SELECT product, day, ${k}coalesce(path, '') AS path, duration_ms FROM ${c.src}
        WHERE event = '$pageleave' AND duration_ms >= 0) GROUP BY ${sql.raw(keys)}, b)
      GROUP BY ${sql.raw(keys)}`;
  const withKeys = (base: string) => [base, ...c.keys].join(", ");
  const conflict = (extra: string) => sql.raw(["product", "day", ...c.keys, ...(extra ? [extra] : [])].join(", "));
  return [
    sql`INSERT INTO ${c.frontend} (product, day, ${k}events, pageviews, pageleaves, sessions, visitors, durations)
      SELECT product, day, ${k}0, 0, 0, 0, 0, h FROM (${leaves(withKeys("product, day"))}) WHERE true
      ON CONFLICT (${conflict("")}) DO UPDATE SET durations = ${mergeHistograms(sql`${c.frontend}.durations`, sql.raw("excluded.durations"))}`,
    sql`INSERT INTO ${c.pages} (product, day, ${k}path, pageviews, entries, exits, leaves, durations)
      SELECT product, day, ${k}path, 0, 0, 0, 0, h FROM (${leaves(withKeys("product, day") + ", path")}) WHERE true
      ON CONFLICT (${conflict("path")}) DO UPDATE SET durations = ${mergeHistograms(sql`${c.pages}.durations`, sql.raw("excluded.durations"))}`,
  ];
}

/**
 * Entry and exit pages: a session's entry page is its first `$pageview` of the day (within the
 * slice) by (t, uuid), t = coalesce(timestamp, received_at), its exit page its last (pagesSql).
 * The session's row in the scope's seen table keeps both so far; per session of the stage, the
 * staged extreme view replaces the kept one when it comes before (after) it: the old page's
 * entries (exits) lose 1 and the new page's gain 1. Runs after the session rows exist (the INSERT
 * OR IGNORE into the seen table). A -1 goes only to a page row that exists (one the rebuild's
 * top-500 trim dropped stays dropped).
 */
function entryExitStatements(c: Scope): SQL[] {
  const k = keyList(c.keys);
  const vk = keyList(c.keys, "v");
  const views = (end: "first" | "last") =>
    sql`WITH v AS (SELECT product, day, ${k}session_id, coalesce(timestamp, received_at) AS t, uuid, coalesce(path, '') AS path,
        row_number() OVER (PARTITION BY product, day, ${k}session_id
          ORDER BY coalesce(timestamp, received_at) ${sql.raw(end === "first" ? "" : "DESC")}, uuid ${sql.raw(end === "first" ? "" : "DESC")}) AS r
        FROM ${c.src} WHERE event = '$pageview' AND session_id IS NOT NULL),
      x AS (SELECT v.product, v.day, ${vk}v.t, v.uuid, v.path, s.${sql.raw(end)}_t AS ot, s.${sql.raw(end)}_uuid AS ou,
          s.${sql.raw(end)}_path AS op, s.rowid AS seen
        FROM v JOIN ${c.seen} s ON s.day = v.day AND s.product = v.product${keysEqual(c.keys, "s", "v")} AND s.kind = 's' AND s.id = v.session_id
        WHERE v.r = 1 AND (s.${sql.raw(end)}_t IS NULL OR (v.t, v.uuid) ${sql.raw(end === "first" ? "<" : ">")} (s.${sql.raw(end)}_t, s.${sql.raw(end)}_uuid)))`;
  const column = (end: "first" | "last") => (end === "first" ? "entries" : "exits");
  const statements: SQL[] = [];
  for (const end of ["first", "last"] as const) {
    const col = sql.raw(column(end));
    statements.push(
      sql`${views(end)}
        INSERT INTO ${c.pages} (product, day, ${k}path, pageviews, entries, exits, leaves, durations)
        SELECT product, day, ${k}path, 0, ${sql.raw(end === "first" ? "sum(d), 0" : "0, sum(d)")}, 0, NULL FROM (
          SELECT product, day, ${k}path, 1 AS d FROM x
          UNION ALL SELECT product, day, ${k}op, -1 FROM x WHERE ot IS NOT NULL AND EXISTS (
            SELECT 1 FROM ${c.pages} p WHERE p.product = x.product AND p.day = x.day${keysEqual(c.keys, "p", "x")} AND p.path = x.op))
        GROUP BY product, day, ${k}path
        ON CONFLICT (product, day, ${k}path) DO UPDATE SET ${col} = ${col} + excluded.${col}`,
      sql`${views(end)}
        UPDATE ${c.seen} SET ${sql.raw(`${end}_t`)} = x.t, ${sql.raw(`${end}_uuid`)} = x.uuid, ${sql.raw(`${end}_path`)} = x.path
        FROM x WHERE ${c.seen}.rowid = x.seen`,
    );
  }
  return statements;
}

/**
 * Entries and exits per breakdown slice. event_seen_slices keeps a session's first and last view
 * per FULL slice; under a slice that fixes fewer columns the kept view is the earliest (latest)
 * of the matching rows. Per session and slice of the stage: when the staged extreme view comes
 * before (after) the kept one, or none is kept, the kept page loses 1 and the new page gains 1
 * (as entryExitStatements). The kept views are read before the full-slice rows take the staged
 * ones (entryExitStatements' UPDATE over the full slices, run right after each end's move).
 */
function slicedEntryExitStatements(): SQL[] {
  const c = sliced;
  const k = keyList(c.keys);
  const vk = keyList(c.keys, "v");
  const move = (end: "first" | "last") => {
    const first = end === "first";
    const dir = sql.raw(first ? "" : "DESC");
    const col = sql.raw(first ? "entries" : "exits");
    const [t, u, p] = [`${end}_t`, `${end}_uuid`, `${end}_path`].map((x) => sql.raw(x));
    return sql`WITH v AS (SELECT product, day, ${k}session_id, coalesce(timestamp, received_at) AS t, uuid, coalesce(path, '') AS path,
        row_number() OVER (PARTITION BY product, day, ${k}session_id ORDER BY coalesce(timestamp, received_at) ${dir}, uuid ${dir}) AS r
        FROM ${c.src} WHERE event = '$pageview' AND session_id IS NOT NULL),
      x AS (SELECT v.product, v.day, ${vk}v.t, v.uuid, v.path, o.${t} AS ot, o.${u} AS ou, o.${p} AS op
        FROM v LEFT JOIN ${c.seen} o ON o.rowid = (SELECT s.rowid FROM ${c.seen} s
          WHERE s.day = v.day AND s.product = v.product AND s.kind = 's' AND s.id = v.session_id${c.seenMatch("s", "v")}
            AND s.${t} IS NOT NULL ORDER BY s.${t} ${dir}, s.${u} ${dir} LIMIT 1)
        WHERE v.r = 1 AND (o.${t} IS NULL OR (v.t, v.uuid) ${sql.raw(first ? "<" : ">")} (o.${t}, o.${u})))
      INSERT INTO ${c.pages} (product, day, ${k}path, pageviews, entries, exits, leaves, durations)
      SELECT product, day, ${k}path, 0, ${sql.raw(first ? "sum(d), 0" : "0, sum(d)")}, 0, NULL FROM (
        SELECT product, day, ${k}path, 1 AS d FROM x
        UNION ALL SELECT product, day, ${k}op, -1 FROM x WHERE ot IS NOT NULL AND EXISTS (
          SELECT 1 FROM ${c.pages} q WHERE q.product = x.product AND q.day = x.day${keysEqual(c.keys, "q", "x")} AND q.path = x.op))
      GROUP BY product, day, ${k}path
      ON CONFLICT (product, day, ${k}path) DO UPDATE SET ${col} = ${col} + excluded.${col}`;
  };
  // entryExitStatements over the full slices: [move first, update first, move last, update last]; its updates only.
  const [, updateFirst, , updateLast] = entryExitStatements(seenFull);
  return [move("first"), updateFirst!, move("last"), updateLast!];
}

const dialect = new SQLiteAsyncDialect();

/** SQL that binds nothing, rendered to its text once (drizzle would rebuild it on every run). */
function rendered(statement: SQL): SQL {
  const q = dialect.sqlToQuery(statement);
  if (q.params.length > 0) throw new Error("a constant statement binds no parameter");
  return sql.raw(q.sql);
}

/**
 * The statements of every chunk that depend on nothing of it (they read the stage): built and
 * rendered once per isolate, on first use (constants, not request state).
 */
let constantStatements: { country: SQL; counters: SQL[]; ids: SQL; move: SQL } | undefined;
function constants() {
  const inc = eventsIncoming;
  return (constantStatements ??= {
    // The country of the installation the row's browser reference names (its activity row's, as
    // of its last ping; the newest when it pinged for several products): what ?country= means for
    // an event. Rows given a country keep it; no reference or no ping yet = NULL (unknown).
    // Through instances_browser_ref and instance_activity's key: two seeks per staged row.
    country: rendered(
      sql`UPDATE ${inc} SET country = (SELECT a.country FROM ${instances} n JOIN ${instanceActivity} a ON a.instance_id = n.id
        WHERE n.browser_ref = ${inc}.instance_ref ORDER BY a.last_day DESC, a.state_at DESC LIMIT 1)
        WHERE country IS NULL AND instance_ref IS NOT NULL`,
    ),
    counters: counterStatements().map(rendered),
    ids: rendered(
      sql`INSERT OR IGNORE INTO ${eventIds} (day, id) SELECT day, ${uuidBytes(sql.raw("uuid"))} FROM ${inc} WHERE true`,
    ),
    // Named columns: `events` gained instance_ref by ALTER TABLE, so its column order differs.
    move: rendered(
      sql`INSERT INTO ${events} (${eventColumnList}, archived) SELECT ${eventColumnList}, 1 FROM ${inc} WHERE true
        ON CONFLICT (uuid) DO NOTHING`,
    ),
  });
}

/** The statements of one chunk's transaction (see the file comment). */
function chunkStatements(db: Db, json: string, digest: string, now: number, keepRaw: boolean) {
  const inc = eventsIncoming;
  const fixed = constants();
  const days = dayList(dedupeDays(now));
  const uuid = jsonField("uuid");
  const line = sql.raw(
    `json_object(${ARCHIVE_COLUMNS.map((c) => `'${c}', ${c === "props" ? "json(props)" : c}`).join(", ")})`,
  );
  return {
    stage: db
      .insert(inc)
      .select(
        sql`${selectFromJson(json)} AND NOT EXISTS (SELECT 1 FROM ${eventIds} x WHERE x.day IN (${days}) AND x.id = ${uuidBytes(uuid)})
          ${keepRaw ? sql`AND NOT EXISTS (SELECT 1 FROM ${events} e WHERE e.uuid = ${uuid})` : sql``}
          AND NOT ${erasedAfter(jsonField("instanceRef"), jsonField("receivedAt"))}`,
      )
      .onConflictDoNothing({ target: inc.uuid }),
    country: db.run(fixed.country),
    counters: fixed.counters.map((s) => db.run(s)),
    ids: db.run(fixed.ids),
    // One row per reference and object with its earliest received_at; the write's chunks share
    // its objects, so a later chunk lowers the row's minimum (eventErasure's purge selects by it).
    refs: db.run(
      sql`INSERT INTO ${eventArchiveRefs} (instance_ref, object_key, first_received_at)
        SELECT instance_ref, 'events/' || product || '/' || day || '/' || ${sql.raw(`'${digest}'`)} || '.ndjson.gz', min(received_at)
        FROM ${inc} WHERE instance_ref IS NOT NULL GROUP BY instance_ref, product, day
        ON CONFLICT (instance_ref, object_key) DO UPDATE SET first_received_at = min(first_received_at, excluded.first_received_at)`,
    ),
    outbox: db
      .insert(eventArchivePending)
      .select(
        sql`SELECT NULL, 'events/' || product || '/' || day || '/' || ${digest} || '.ndjson.gz', product, day,
          json_group_array(uuid), json_group_array(${line}), ${now} FROM ${inc} WHERE true GROUP BY product, day`,
      )
      .returning({
        id: eventArchivePending.id,
        objectKey: eventArchivePending.objectKey,
        uuids: eventArchivePending.uuids,
      }),
    move: keepRaw ? db.run(fixed.move) : undefined,
    clear: db.delete(inc),
  };
}

/** uuids of `rows` already stored: in the dedupe horizon's `event_ids`, or in `events` when D1 keeps them. */
async function storedUuids(db: Db, uuids: string[], now: number, keepRaw: boolean): Promise<Set<string>> {
  const found = new Set<string>();
  const days = dayList(dedupeDays(now));
  for (let i = 0; i < uuids.length; i += UUIDS_PER_READ) {
    const slice = JSON.stringify(uuids.slice(i, i + UUIDS_PER_READ));
    const rows = await guard("eventsStored", () =>
      db.all<{ uuid: string }>(
        sql`SELECT value AS uuid FROM json_each(${slice}) WHERE EXISTS (SELECT 1 FROM ${eventIds} x
          WHERE x.day IN (${days}) AND x.id = ${uuidBytes(sql.raw("value"))})
          ${keepRaw ? sql`OR EXISTS (SELECT 1 FROM ${events} e WHERE e.uuid = value)` : sql``}`,
      ),
    );
    for (const r of rows) found.add(r.uuid);
  }
  return found;
}

export interface EventWrite {
  /** Rows stored by this write (new uuids). */
  inserted: number;
  /** Archive objects put, and their gzip bytes. */
  objects: number;
  archiveBytes: number;
}

/**
 * Stores events, counts them and archives them (see the file comment). Throws (a 503 HttpError)
 * when D1 fails: transactions already committed stay, and a retry of the same rows stores and
 * counts only the rest. An R2 failure is thrown too, after D1 committed: the outbox keeps the
 * objects for the cron, and a retry finds the rows stored (nothing twice).
 */
export async function writeEvents(
  db: Db,
  bucket: R2Bucket,
  input: EventRow[],
  now: number,
  keepRaw = true,
): Promise<EventWrite> {
  const unique = new Map<string, EventRow>();
  for (const r of input) if (!unique.has(r.uuid)) unique.set(r.uuid, r);
  const stored = await storedUuids(db, [...unique.keys()], now, keepRaw);
  const rows = [...unique.values()].filter((r) => !stored.has(r.uuid));
  if (rows.length === 0) return { inserted: 0, objects: 0, archiveBytes: 0 };
  const digest = await writeDigest(rows.map((r) => r.uuid));
  const pending = new Map<string, PendingObject>();
  for (const json of eventJsonChunks(rows)) {
    const s = chunkStatements(db, json, digest, now, keepRaw);
    const results = await guard("writeEvents", () =>
      db.batch([s.stage, s.country, ...s.counters, s.ids, s.refs, s.outbox, ...(s.move ? [s.move] : []), s.clear]),
    );
    const outbox = results[4 + s.counters.length] as Array<{ id: number; objectKey: string; uuids: string }>;
    for (const o of outbox) {
      const entry = pending.get(o.objectKey) ?? { ids: [], objectKey: o.objectKey, rows: [] };
      entry.ids.push(o.id);
      const uuids = new Set(JSON.parse(o.uuids) as string[]);
      entry.rows.push(...rows.filter((r) => uuids.has(r.uuid)));
      pending.set(o.objectKey, entry);
    }
  }
  const objects = [...pending.values()];
  const archiveBytes = await putPendingObjects(db, bucket, objects);
  return { inserted: objects.reduce((n, o) => n + o.rows.length, 0), objects: objects.length, archiveBytes };
}
