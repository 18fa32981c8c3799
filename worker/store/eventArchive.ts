import { and, eq, inArray, lt, min, sql } from "drizzle-orm";
import { eventArchivePending, eventArchiveRefs, events } from "../../schema/tables";
import { toHex } from "../lib/hex";
import { log } from "../lib/log";
import type { Db } from "./db";
import { guard } from "./db";
import type { EventRow } from "./events";

/**
 * The raw-event archive in R2 (binding ARCHIVE): every stored event, once, as gzip NDJSON.
 *
 * Objects: `events/<product>/<day>/<digest>.ndjson.gz`, one per event write (a capture request
 * in direct mode, a consumer batch with the queue) and per product and day of its rows. The
 * digest is that of the write's new uuids, so a write retried with the same rows puts the same
 * key (an overwrite, never a second copy). Lines: one JSON object per event with the events
 * table's columns by their SQL names, in the CSV export's order (times in ms, `props` a JSON
 * object); rows sorted by (received_at, uuid). gzip NDJSON because it streams line by line in
 * a Worker (DecompressionStream, no library), every tool reads it (zcat, jq, DuckDB
 * `read_json`, BigQuery, ClickHouse), and gzip members concatenate into one valid gzip file,
 * which lets a later compaction merge a day's objects without re-encoding them.
 */
export const EVENT_ARCHIVE_PREFIX = "events/";

/** The archived columns, in the CSV export's order (SQL names). */
export const ARCHIVE_COLUMNS = [
  "uuid",
  "product",
  "event",
  "timestamp",
  "received_at",
  "day",
  "distinct_id",
  "session_id",
  "path",
  "referrer_domain",
  "browser",
  "os",
  "lib",
  "lib_version",
  "instance_ref",
  "app_version",
  "license_type",
  "duration_ms",
  "props",
] as const;
export type ArchivedEvent = Record<(typeof ARCHIVE_COLUMNS)[number], unknown>;

/** One event as its archive line (no newline). Same bytes whichever path built the row. */
export function archiveLine(r: EventRow): string {
  const line: ArchivedEvent = {
    uuid: r.uuid,
    product: r.product,
    event: r.event,
    timestamp: r.timestamp ?? null,
    received_at: r.receivedAt,
    day: r.day,
    distinct_id: r.distinctId ?? null,
    session_id: r.sessionId ?? null,
    path: r.path ?? null,
    referrer_domain: r.referrerDomain ?? null,
    browser: r.browser ?? null,
    os: r.os ?? null,
    lib: r.lib ?? null,
    lib_version: r.libVersion ?? null,
    instance_ref: r.instanceRef ?? null,
    app_version: r.appVersion ?? null,
    license_type: r.licenseType ?? null,
    duration_ms: r.durationMs ?? null,
    props: r.props ?? null,
  };
  return JSON.stringify(line);
}

/** An archive line's object back as a row (the outbox keeps its rows as archive lines). */
export function rowOfLine(e: ArchivedEvent): EventRow {
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  return {
    uuid: String(e.uuid),
    product: String(e.product),
    event: String(e.event),
    timestamp: num(e.timestamp),
    receivedAt: Number(e.received_at),
    day: String(e.day),
    distinctId: str(e.distinct_id),
    sessionId: str(e.session_id),
    path: str(e.path),
    referrerDomain: str(e.referrer_domain),
    browser: str(e.browser),
    os: str(e.os),
    lib: str(e.lib),
    libVersion: str(e.lib_version),
    instanceRef: str(e.instance_ref),
    appVersion: str(e.app_version),
    licenseType: str(e.license_type),
    durationMs: num(e.duration_ms),
    props: e.props !== null && typeof e.props === "object" ? (e.props as EventRow["props"]) : null,
  };
}

/** The object of a day's rows: sorted by (received_at, uuid), one line each, gzip. */
export async function archiveObject(rows: EventRow[]): Promise<Uint8Array> {
  const sorted = [...rows].sort((a, b) => a.receivedAt - b.receivedAt || (a.uuid < b.uuid ? -1 : 1));
  const text = sorted.map((r) => `${archiveLine(r)}\n`).join("");
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Digest naming one write's object: SHA-256 of its new uuids (sorted), 32 hex digits. */
export async function writeDigest(uuids: string[]): Promise<string> {
  const text = [...uuids].sort().join("\n");
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toHex(new Uint8Array(hash)).slice(0, 32);
}

/** The object key prefix of one product and day. */
export function dayPrefix(product: string, day: string): string {
  return `${EVENT_ARCHIVE_PREFIX}${product}/${day}/`;
}

export interface PendingObject {
  ids: number[];
  objectKey: string;
  rows: EventRow[];
}

/** Puts each object, then forgets its outbox rows. A put that throws leaves them for the cron. */
export async function putPendingObjects(db: Db, bucket: R2Bucket, objects: PendingObject[]): Promise<number> {
  let bytes = 0;
  for (const o of objects) {
    if (o.rows.length === 0) continue; // nothing left to archive (erased meanwhile)
    const body = await archiveObject(o.rows);
    bytes += body.byteLength;
    await bucket.put(o.objectKey, body, {
      httpMetadata: { contentType: "application/gzip" },
      customMetadata: { rows: String(o.rows.length) },
    });
  }
  const ids = objects.flatMap((o) => o.ids);
  // One bound parameter per id: at most 90 per statement (D1's 100-parameter limit).
  for (let i = 0; i < ids.length; i += 90) {
    const slice = ids.slice(i, i + 90);
    await guard("archiveDone", () => db.delete(eventArchivePending).where(inArray(eventArchivePending.id, slice)));
  }
  return bytes;
}

/** Outbox rows older than this are the cron's to put (a live writer puts its own within seconds). */
export const PENDING_GRACE_MS = 10 * 60_000;
/** Objects the cron puts per run (each: one D1 read, one R2 put). */
export const PENDING_PER_RUN = 100;

/**
 * The cron's half of the outbox: objects whose writer failed to put them (or died first), rebuilt
 * from the outbox row's own lines (`rows`: D1 may keep no raw events, EVENTS_D1_DAYS = 0; rows
 * written before that column existed are read back from `events`, which keeps a day's events
 * while it has an outbox row) and put under the key the writer chose. Lines `keep` refuses
 * (events of installations erased meanwhile: the cron passes eventErasure's test) are left out.
 * Returns objects put.
 */
export async function flushPendingArchive(
  db: Db,
  bucket: R2Bucket,
  now: number,
  keep: (e: ArchivedEvent) => boolean = () => true,
): Promise<number> {
  const pending = await guard("archivePending", () =>
    db
      .select()
      .from(eventArchivePending)
      .where(lt(eventArchivePending.createdAt, now - PENDING_GRACE_MS))
      .orderBy(eventArchivePending.id)
      .limit(PENDING_PER_RUN * 4),
  );
  const byKey = new Map<string, typeof pending>();
  for (const p of pending) byKey.set(p.objectKey, [...(byKey.get(p.objectKey) ?? []), p]);
  const objects: PendingObject[] = [];
  for (const [objectKey, list] of [...byKey].slice(0, PENDING_PER_RUN)) {
    const rows: EventRow[] = [];
    const fromD1 = list.filter((p) => p.rows === null).flatMap((p) => JSON.parse(p.uuids) as string[]);
    for (const p of list)
      if (p.rows !== null)
        for (const line of JSON.parse(p.rows) as ArchivedEvent[]) if (keep(line)) rows.push(rowOfLine(line));
    if (fromD1.length > 0) {
      const stored = await guard("archivePendingRows", () =>
        db
          .select()
          .from(events)
          .where(
            and(
              eq(events.product, list[0]!.product),
              sql`${events.uuid} IN (SELECT value FROM json_each(${JSON.stringify(fromD1)}))`,
            ),
          ),
      );
      // Fewer rows than uuids: the installation was erased meanwhile (its rows left D1).
      if (stored.length < fromD1.length) log("warn", "event archive: outbox rows gone from D1", { objectKey });
      rows.push(...stored);
    }
    objects.push({ ids: list.map((p) => p.id), objectKey, rows });
  }
  await putPendingObjects(db, bucket, objects);
  if (objects.length > 0) log("warn", "event archive objects put by the cron", { objects: objects.length });
  return objects.length;
}

/** Rows the cron's backfill reads per run, and objects (R2 puts: one per product and day) it writes. */
export const BACKFILL_ROWS_PER_RUN = 5000;
export const BACKFILL_OBJECTS_PER_RUN = 50;

/**
 * The cron's backfill of rows stored before the archive existed (`archived = 0`, found through
 * the partial index events_unarchived): up to BACKFILL_ROWS_PER_RUN of the oldest days, put as
 * one object per product and day (at most BACKFILL_OBJECTS_PER_RUN) (named by the digest of their uuids: a run interrupted before
 * its update puts the same key again), then marked archived. Returns rows archived.
 */
export async function backfillArchive(db: Db, bucket: R2Bucket): Promise<number> {
  const rows = await guard("archiveBackfill", () =>
    db
      .select()
      .from(events)
      .where(sql`${events.archived} = 0`)
      .orderBy(events.day)
      .limit(BACKFILL_ROWS_PER_RUN),
  );
  if (rows.length === 0) return 0;
  const groups = new Map<string, EventRow[]>();
  for (const r of rows) groups.set(`${r.product}/${r.day}`, [...(groups.get(`${r.product}/${r.day}`) ?? []), r]);
  let archived = 0;
  for (const [key, list] of [...groups].slice(0, BACKFILL_OBJECTS_PER_RUN)) {
    archived += list.length;
    const digest = await writeDigest(list.map((r) => r.uuid));
    await bucket.put(`${EVENT_ARCHIVE_PREFIX}${key}/${digest}.ndjson.gz`, await archiveObject(list), {
      httpMetadata: { contentType: "application/gzip" },
      customMetadata: { rows: String(list.length) },
    });
    const uuids = JSON.stringify(list.map((r) => r.uuid));
    const objectKey = `${EVENT_ARCHIVE_PREFIX}${key}/${digest}.ndjson.gz`;
    await guard("archiveBackfillDone", () =>
      db.batch([
        // The object is put whole under its key: its rows replace any earlier run's.
        db
          .insert(eventArchiveRefs)
          .select(
            sql`SELECT instance_ref, ${objectKey}, min(received_at) FROM ${events}
              WHERE uuid IN (SELECT value FROM json_each(${uuids})) AND instance_ref IS NOT NULL GROUP BY instance_ref`,
          )
          .onConflictDoUpdate({
            target: [eventArchiveRefs.instanceRef, eventArchiveRefs.objectKey],
            set: { firstReceivedAt: sql`excluded.first_received_at` },
          }),
        db
          .update(events)
          .set({ archived: 1 })
          .where(sql`${events.uuid} IN (SELECT value FROM json_each(${uuids}))`),
      ]),
    );
  }
  log("info", "events archived by the backfill", { rows: archived });
  return archived;
}

/** The oldest day with rows not yet archived (they stay in D1 until they are). */
export async function oldestUnarchivedDay(db: Db): Promise<string | undefined> {
  const rows = await guard("archiveUnarchivedDay", () =>
    db
      .select({ day: events.day })
      .from(events)
      .where(sql`${events.archived} = 0`)
      .orderBy(events.day)
      .limit(1),
  );
  return rows[0]?.day;
}

/** The oldest day with an outbox row (its raw events must stay in D1 until the object is put). */
export async function oldestPendingDay(db: Db): Promise<string | undefined> {
  const rows = await guard("archivePendingDay", () =>
    db.select({ day: min(eventArchivePending.day) }).from(eventArchivePending),
  );
  return rows[0]?.day ?? undefined;
}

/** One archived object of an export: its key, day and product. */
export interface ArchiveItem {
  key: string;
  product: string;
  day: string;
}

/**
 * Keys of every object of the range, in export order (day, key), and the manifests of
 * compactions in progress (eventCompaction.ts): per product one listing from
 * `events/<product>/<from>` on, stopped past `to`; `products` lists the products (all of them
 * when the export names none). Returns the keys and the R2 calls spent; `complete` is false
 * when `maxCalls` ran out first.
 */
export async function listArchive(
  bucket: R2Bucket,
  products: string[],
  from: string,
  to: string,
  maxCalls: number,
): Promise<{ items: ArchiveItem[]; manifests: string[]; calls: number; complete: boolean }> {
  const items: ArchiveItem[] = [];
  const manifests: string[] = [];
  let calls = 0;
  for (const product of products) {
    const prefix = `${EVENT_ARCHIVE_PREFIX}${product}/`;
    let cursor: string | undefined;
    for (;;) {
      if (calls >= maxCalls) return { items, manifests, calls, complete: false };
      calls++;
      const page = await bucket.list({
        prefix,
        limit: 1000,
        ...(cursor === undefined ? { startAfter: `${prefix}${from}` } : { cursor }),
      });
      let past = false;
      for (const o of page.objects) {
        const day = o.key.slice(prefix.length, prefix.length + 10);
        if (day > to) {
          past = true;
          break;
        }
        if (day < from) continue;
        if (o.key.endsWith(".ndjson.gz")) items.push({ key: o.key, product, day });
        else if (o.key.endsWith(".manifest.json")) manifests.push(o.key);
      }
      if (past || !page.truncated) break;
      cursor = page.cursor;
    }
  }
  items.sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { items, manifests, calls, complete: true };
}

/** Products with objects in the archive (one listing by delimiter per 1,000 products). */
export async function archivedProducts(bucket: R2Bucket): Promise<{ products: string[]; calls: number }> {
  const products: string[] = [];
  let calls = 0;
  let cursor: string | undefined;
  for (;;) {
    calls++;
    const page = await bucket.list({ prefix: EVENT_ARCHIVE_PREFIX, delimiter: "/", limit: 1000, cursor });
    for (const p of page.delimitedPrefixes) products.push(p.slice(EVENT_ARCHIVE_PREFIX.length, -1));
    if (!page.truncated) break;
    cursor = page.cursor;
  }
  return { products: products.sort(), calls };
}

/**
 * The archived events of `items`, in order, `pageRows` at a time: each object is streamed (gunzip,
 * split at newlines), so memory holds one page and one line, whatever the object's size. An
 * object gone meanwhile (a compaction deleted it after the listing) throws: the export is cut
 * (csvStream aborts the body), never silently short. One R2 call (get) per object.
 */
export async function* archivedEvents(
  bucket: R2Bucket,
  items: ArchiveItem[],
  pageRows: number,
): AsyncGenerator<ArchivedEvent[]> {
  let page: ArchivedEvent[] = [];
  for (const item of items) {
    const object = await bucket.get(item.key);
    if (!object) throw new Error(`archive object ${item.key} is gone`);
    const reader = object.body
      .pipeThrough(new DecompressionStream("gzip"))
      .pipeThrough(new TextDecoderStream())
      .getReader();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      const text = rest + (done ? "\n" : value);
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "") continue;
        page.push(JSON.parse(line) as ArchivedEvent);
        if (page.length === pageRows) {
          yield page;
          page = [];
        }
      }
      if (done) break;
    }
  }
  if (page.length > 0) yield page;
}
