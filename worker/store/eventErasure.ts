import { sql } from "drizzle-orm";
import { erasedRefs, eventArchiveRefs } from "../../schema/tables";
import { log } from "../lib/log";
import type { Db } from "./db";
import { guard } from "./db";
import type { ArchivedEvent } from "./eventArchive";
import { rewriteObjects } from "./eventCompaction";

/**
 * Erasing an installation from the raw-event archive. The erase (store/instances.ts) deletes its
 * events from D1 and records its browser reference in `erased_refs` in the same transaction;
 * from then on the export leaves that reference's events (received up to the erase) out, and
 * the cron rewrites every archive object that holds them (found through event_archive_refs,
 * never by reading the archive). The reference is kept ERASURE_HOLD_DAYS after the erase (its
 * rows are forgotten only then, and only once no object holds its events): until then the queue
 * consumer stores no ping or event of it received up to the erase, so a message still in the
 * queue, or redelivered, cannot bring the installation back (store/pings.ts, store/eventWrites.ts).
 */

/**
 * Days an erased reference is kept: the longest a message can wait in a Cloudflare queue (message
 * retention, at most 14 days). A dead letter replayed later than that is stored again.
 */
export const ERASURE_HOLD_DAYS = 14;
const DAY_MS = 86_400_000;

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

/** Objects rewritten per cron run (each: a get, a multipart upload of a few calls). */
export const PURGE_OBJECTS_PER_RUN = 50;

/**
 * The cron's purge: rewrites up to PURGE_OBJECTS_PER_RUN archive objects holding erased events
 * without them (an object left empty is deleted), drops their index rows, and forgets each
 * reference no object holds any more once it is ERASURE_HOLD_DAYS old at `now`. Returns objects
 * rewritten.
 */
export async function purgeErased(db: Db, bucket: R2Bucket, now: number): Promise<number> {
  const erased = await erasedNow(db);
  if (erased.size === 0) return 0;
  const refs = JSON.stringify([...erased.keys()]);
  const inErased = sql`${eventArchiveRefs.instanceRef} IN (SELECT value FROM json_each(${refs}))`;
  const keys = await guard("erasedObjects", () =>
    db.all<{ key: string }>(
      sql`SELECT DISTINCT ${eventArchiveRefs.objectKey} AS key FROM ${eventArchiveRefs} WHERE ${inErased} LIMIT ${PURGE_OBJECTS_PER_RUN}`,
    ),
  );
  for (const { key } of keys) {
    if (await bucket.head(key)) {
      const kept = await rewriteObjects(bucket, key, [key], (e) => !isErased(erased, e));
      if (kept === 0) await bucket.delete(key);
    }
    await guard("erasedObjectDone", () =>
      db.delete(eventArchiveRefs).where(sql`${eventArchiveRefs.objectKey} = ${key} AND ${inErased}`),
    );
  }
  const left = await guard("erasedLeft", () =>
    db.all<{ ref: string }>(
      sql`SELECT DISTINCT ${eventArchiveRefs.instanceRef} AS ref FROM ${eventArchiveRefs} WHERE ${inErased}`,
    ),
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
  if (keys.length > 0)
    log("info", "erased events removed from the archive", { objects: keys.length, refs: done.length });
  return keys.length;
}
