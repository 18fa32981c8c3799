import { sql, type SQL } from "drizzle-orm";
import { erasedRefs, eventArchivePending, eventArchiveRefs } from "../../schema/tables";
import { log } from "../lib/log";
import type { Db } from "./db";
import { guard } from "./db";
import type { ArchivedEvent } from "./eventArchive";
import { finishCompactions, rewriteObjects, writeObjectPrefix } from "./eventCompaction";

/**
 * Erasing an installation from the raw-event archive. The erase (store/instances.ts) deletes its
 * events from D1 and records its browser reference in `erased_refs` in the same transaction;
 * from then on the export leaves that reference's events (received up to the erase) out, and
 * the cron rewrites, once, every archive object that holds them (found through
 * event_archive_refs and its first_received_at, never by reading the archive). The reference is
 * kept ERASURE_HOLD_DAYS after the erase (forgotten only then, and only once no object holds its
 * events received up to the erase; objects holding its later events keep their index rows, so
 * an erase of it again finds them): until then the queue
 * consumer stores no ping or event of it received up to the erase, so a message still in the
 * queue, or redelivered, cannot bring the installation back (store/pings.ts, store/eventWrites.ts).
 */

/**
 * Days an erased reference is kept: the longest a message can wait in a Cloudflare queue (message
 * retention, at most 14 days). A dead letter replayed later than that is stored again.
 */
export const ERASURE_HOLD_DAYS = 14;
const DAY_MS = 86_400_000;

/**
 * The erase hold, in SQL: the installation of browser reference `ref` was erased at or after
 * `receivedAt` (a message received before the erase, still queued or redelivered), so nothing of
 * it is stored or linked. The ping writer, the event writer and Sentry's links test it.
 */
export function erasedAfter(ref: SQL, receivedAt: SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM ${erasedRefs} r WHERE r.ref = ${ref} AND r.erased_at >= ${receivedAt})`;
}

/** Erased references and when: events of a reference received up to its time are erased. */
export type Erased = Map<string, number>;

export async function erasedNow(db: Db): Promise<Erased> {
  const rows = await guard("erasedRefs", () => db.select().from(erasedRefs));
  return new Map(rows.map((r) => [r.ref, r.erasedAt]));
}

/** Whether an archived event belongs to an erased installation. */
export function isErased(erased: Erased, e: ArchivedEvent): boolean {
  if (erased.size === 0 || typeof e.instance_ref !== "string") return false;
  const at = erased.get(e.instance_ref);
  return at !== undefined && typeof e.received_at === "number" && e.received_at <= at;
}

/**
 * Objects rewritten per cron run (each: a head, a get, a multipart upload of a few calls; and a
 * listing of its day's compacted objects when it is a write object).
 */
export const PURGE_OBJECTS_PER_RUN = 50;

/**
 * The cron's purge. An object is due when an index row says it holds events of an erased
 * reference received up to the erase (first_received_at <= erased_at); objects still in the
 * outbox are left to the cron's flush, which puts them without erased events (a later run reads
 * them once they are put). Up to PURGE_OBJECTS_PER_RUN due objects are rewritten without any
 * erased event (an object left empty is deleted), and each one's index rows are set, in one
 * transaction, to what it still holds: a row per reference with the earliest received_at left
 * (events received after an erase stay: the installation may send again as a new one), none for
 * a reference it no longer holds. So each erase rewrites its objects once, and a later erase of
 * the same reference finds every object holding its newer events. A reference is forgotten
 * (its erased_refs row deleted) once no object is due for it and it is ERASURE_HOLD_DAYS old at
 * `now`. Returns objects rewritten.
 */
export async function purgeErased(db: Db, bucket: R2Bucket, now: number): Promise<number> {
  const erased = await erasedNow(db);
  if (erased.size === 0) return 0;
  const due = sql`FROM ${eventArchiveRefs} a JOIN ${erasedRefs} r ON r.ref = a.instance_ref
    WHERE a.first_received_at <= r.erased_at`;
  const dueObjects = () =>
    guard("erasedObjects", () =>
      db.all<{ key: string }>(
        sql`SELECT DISTINCT a.object_key AS key ${due}
          AND NOT EXISTS (SELECT 1 FROM ${eventArchivePending} p WHERE p.object_key = a.object_key)
          LIMIT ${PURGE_OBJECTS_PER_RUN}`,
      ),
    );
  let keys = await dueObjects();
  // A write object may be the source of an interrupted compaction whose object holds its events
  // too: finish those first (the sources' rows move to the compacted object, due in turn).
  const days = new Set(keys.map((k) => writeObjectPrefix(k.key)).filter((p) => p !== undefined));
  let finished = false;
  for (const prefix of days) if ((await finishCompactions(db, bucket, prefix)).finished) finished = true;
  if (finished) {
    const inChecked = (key: string) => {
      const prefix = writeObjectPrefix(key);
      return prefix === undefined || days.has(prefix);
    };
    keys = (await dueObjects()).filter((k) => inChecked(k.key));
  }
  let rewritten = 0;
  for (const { key } of keys) {
    // Reference -> earliest received_at of its events the rewritten object keeps.
    const held = new Map<string, number>();
    if (await bucket.head(key)) {
      const kept = await rewriteObjects(bucket, key, [key], (e) => {
        if (isErased(erased, e)) return false;
        const ref = e.instance_ref;
        if (typeof ref === "string" && typeof e.received_at === "number")
          held.set(ref, Math.min(held.get(ref) ?? e.received_at, e.received_at));
        return true;
      });
      rewritten++;
      if (kept === 0) await bucket.delete(key);
    }
    // An object gone from R2 (and not in the outbox) holds nothing: all its rows go.
    const list = JSON.stringify([...held]);
    await guard("erasedObjectDone", () =>
      db.batch([
        db.delete(eventArchiveRefs).where(
          sql`${eventArchiveRefs.objectKey} = ${key} AND ${eventArchiveRefs.instanceRef} NOT IN
              (SELECT json_extract(value, '$[0]') FROM json_each(${list}))`,
        ),
        db
          .insert(eventArchiveRefs)
          .select(
            sql`SELECT json_extract(value, '$[0]'), ${key}, json_extract(value, '$[1]') FROM json_each(${list}) WHERE true`,
          )
          .onConflictDoUpdate({
            target: [eventArchiveRefs.instanceRef, eventArchiveRefs.objectKey],
            set: { firstReceivedAt: sql`excluded.first_received_at` },
          }),
      ]),
    );
  }
  const left = await guard("erasedLeft", () =>
    db.all<{ ref: string }>(sql`SELECT DISTINCT a.instance_ref AS ref ${due}`),
  );
  const heldUntil = now - ERASURE_HOLD_DAYS * DAY_MS;
  const done = [...erased].filter(([r, at]) => at < heldUntil && !left.some((l) => l.ref === r));
  if (done.length > 0) {
    // Each (ref, erased_at) as read: an erase of the same reference since (a newer erased_at)
    // keeps its row and so its hold.
    const list = JSON.stringify(done);
    await guard("erasedDone", () =>
      db
        .delete(erasedRefs)
        .where(
          sql`(${erasedRefs.ref}, ${erasedRefs.erasedAt}) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${list}))`,
        ),
    );
  }
  if (keys.length > 0) log("info", "erased events removed from the archive", { objects: rewritten, refs: done.length });
  return rewritten;
}
