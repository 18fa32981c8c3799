import { getTableColumns, sql, type SQL } from "drizzle-orm";
import {
  eventArchivePending,
  eventArchiveRefs,
  events,
  eventSeen,
  eventsIncoming,
  rollupEventProps,
  rollupEvents,
  rollupFrontend,
  rollupPages,
} from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { eventJsonChunks, selectFromJson, type EventRow } from "./events";
import { putPendingObjects, writeDigest, type PendingObject } from "./eventArchive";

/**
 * Storing events, the one writer of the direct capture path and the queue consumer:
 *
 * 1. the rows' uuids are looked up (one read): rows already stored are dropped, and the digest
 *    of the rest names this write's archive objects;
 * 2. per byte-bounded chunk (store/events.ts), ONE transaction: the chunk's rows whose uuid is
 *    not in `events` are staged in `events_incoming` (duplicates inside the chunk once), the
 *    counters of their day are incremented FROM THE STAGED ROWS ONLY (rollup_frontend,
 *    rollup_pages, rollup_events, rollup_event_props; sessions and visitors through
 *    `event_seen`), the outbox row of their archive object and the browser references it holds
 *    (event_archive_refs, for erasure) are written, the rows move to `events`
 *    and the stage is emptied. A redelivery, a client retry or a concurrent writer of the same
 *    uuid stages nothing, so it adds 0 everywhere;
 * 3. the archive objects (gzip NDJSON, store/eventArchive.ts) are put to R2, then their outbox
 *    rows deleted; a put that fails leaves them for the cron (flushPendingArchive).
 *
 * Left to the cron's rebuild of the day (rollupEventsSql.ts): time-on-page histograms,
 * entry/exit pages, the top-500 page and top-N property trims.
 */

/** Every column of an event row, by SQL name. */
const columnList = sql.raw(
  Object.values(getTableColumns(eventsIncoming))
    .map((c) => `"${c.name}"`)
    .join(", "),
);

/** uuids per existence read: 36-byte uuids as one JSON value, far under D1's 2,000,000 bytes. */
const UUIDS_PER_READ = 20_000;

/**
 * The counting statements of the staged rows, in the order they must run (before the move). They
 * bind no parameter: drizzle batches a raw `db.run(sql)` only when it has none.
 */
function counterStatements(): SQL[] {
  const inc = eventsIncoming;
  const custom = sql`substr(event, 1, 1) <> '$'`;
  /** Distinct ids of kind `k` in the stage not yet counted for their product and day. */
  const fresh = (column: SQL, kind: "s" | "v") =>
    sql`(SELECT count(DISTINCT ${column}) FROM ${inc} i2 WHERE i2.product = i.product AND i2.day = i.day
      AND ${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${eventSeen} s
        WHERE s.day = i2.day AND s.product = i2.product AND s.kind = ${sql.raw(`'${kind}'`)} AND s.id = ${column}))`;
  return [
    sql`INSERT INTO ${rollupFrontend} (product, day, events, pageviews, pageleaves, sessions, visitors, durations)
      SELECT i.product, i.day, count(*), sum(i.event = '$pageview'), sum(i.event = '$pageleave'),
        ${fresh(sql.raw("i2.session_id"), "s")}, ${fresh(sql.raw("i2.distinct_id"), "v")}, NULL
      FROM ${inc} i WHERE true GROUP BY i.product, i.day
      ON CONFLICT (product, day) DO UPDATE SET events = events + excluded.events,
        pageviews = pageviews + excluded.pageviews, pageleaves = pageleaves + excluded.pageleaves,
        sessions = sessions + excluded.sessions, visitors = visitors + excluded.visitors`,
    sql`INSERT OR IGNORE INTO ${eventSeen} (day, product, kind, id)
      SELECT DISTINCT day, product, 's', session_id FROM ${inc} WHERE session_id IS NOT NULL
      UNION SELECT DISTINCT day, product, 'v', distinct_id FROM ${inc} WHERE distinct_id IS NOT NULL`,
    sql`INSERT INTO ${rollupPages} (product, day, path, pageviews, entries, exits, leaves, durations)
      SELECT product, day, coalesce(path, ''), sum(event = '$pageview'), 0, 0, sum(event = '$pageleave'), NULL
      FROM ${inc} WHERE event IN ('$pageview', '$pageleave') GROUP BY product, day, coalesce(path, '')
      ON CONFLICT (product, day, path) DO UPDATE SET pageviews = pageviews + excluded.pageviews,
        leaves = leaves + excluded.leaves`,
    sql`INSERT INTO ${rollupEvents} (product, day, event, app_version, count)
      SELECT product, day, event, coalesce(app_version, ''), count(*) FROM ${inc}
      WHERE ${custom} GROUP BY product, day, event, coalesce(app_version, '')
      ON CONFLICT (product, day, event, app_version) DO UPDATE SET count = count + excluded.count`,
    sql`INSERT INTO ${rollupEventProps} (product, day, event, key, value, count)
      SELECT i.product, i.day, i.event, j.key, CAST(j.value AS TEXT) AS v, count(*)
      FROM ${inc} i, json_each(i.props) j WHERE ${custom} AND i.props IS NOT NULL
      GROUP BY i.product, i.day, i.event, j.key, v
      ON CONFLICT (product, day, event, key, value) DO UPDATE SET count = count + excluded.count`,
  ];
}

/** The statements of one chunk's transaction (see the file comment). */
function chunkStatements(db: Db, json: string, digest: string, now: number) {
  const inc = eventsIncoming;
  return {
    stage: db
      .insert(inc)
      .select(
        sql`${selectFromJson(json)} AND NOT EXISTS (SELECT 1 FROM ${events} e WHERE e.uuid = json_extract(value, '$.uuid'))`,
      )
      .onConflictDoNothing({ target: inc.uuid }),
    counters: counterStatements().map((s) => db.run(s)),
    refs: db.run(
      sql`INSERT OR IGNORE INTO ${eventArchiveRefs} (instance_ref, object_key)
        SELECT DISTINCT instance_ref, 'events/' || product || '/' || day || '/' || ${sql.raw(`'${digest}'`)} || '.ndjson.gz'
        FROM ${inc} WHERE instance_ref IS NOT NULL`,
    ),
    outbox: db
      .insert(eventArchivePending)
      .select(
        sql`SELECT NULL, 'events/' || product || '/' || day || '/' || ${digest} || '.ndjson.gz', product, day,
          json_group_array(uuid), ${now} FROM ${inc} WHERE true GROUP BY product, day`,
      )
      .returning(),
    // Named columns: `events` gained instance_ref by ALTER TABLE, so its column order differs.
    move: db.run(
      sql`INSERT INTO ${events} (${columnList}, archived) SELECT ${columnList}, 1 FROM ${inc} WHERE true
        ON CONFLICT (uuid) DO NOTHING`,
    ),
    clear: db.delete(inc),
  };
}

/** uuids of `rows` already in `events`. */
async function storedUuids(db: Db, uuids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < uuids.length; i += UUIDS_PER_READ) {
    const slice = JSON.stringify(uuids.slice(i, i + UUIDS_PER_READ));
    const rows = await guard("eventsStored", () =>
      db.all<{ uuid: string }>(sql`SELECT uuid FROM ${events} WHERE uuid IN (SELECT value FROM json_each(${slice}))`),
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
export async function writeEvents(db: Db, bucket: R2Bucket, input: EventRow[], now: number): Promise<EventWrite> {
  const unique = new Map<string, EventRow>();
  for (const r of input) if (!unique.has(r.uuid)) unique.set(r.uuid, r);
  const stored = await storedUuids(db, [...unique.keys()]);
  const rows = [...unique.values()].filter((r) => !stored.has(r.uuid));
  if (rows.length === 0) return { inserted: 0, objects: 0, archiveBytes: 0 };
  const digest = await writeDigest(rows.map((r) => r.uuid));
  const pending = new Map<string, PendingObject>();
  for (const json of eventJsonChunks(rows)) {
    const s = chunkStatements(db, json, digest, now);
    const results = await guard("writeEvents", () =>
      db.batch([s.stage, ...s.counters, s.refs, s.outbox, s.move, s.clear]),
    );
    const outbox = results[2 + s.counters.length] as Array<typeof eventArchivePending.$inferSelect>;
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
