import { and, eq, sql } from "drizzle-orm";
import { eventArchivePending, eventArchiveRefs } from "../../schema/tables";
import { concat } from "../lib/bytes";
import { log } from "../lib/log";
import type { Db } from "./db";
import { guard } from "./db";
import { archivedProducts, dayPrefix, writeDigest, type ArchivedEvent } from "./eventArchive";

/**
 * Compaction of the raw-event archive (cron): a product's day holds one object per write (a
 * capture request in direct mode, a consumer batch with the queue), so a busy day can hold more
 * objects than one export may read (EXPORT_MAX_R2_CALLS). The cron merges a day's write objects,
 * in key order, into `c-<digest>.ndjson.gz` objects of up to COMPACT_MAX_SOURCES sources each,
 * then deletes the sources: the export reads the same rows in the same order from far fewer
 * objects.
 *
 * Re-encoded, not concatenated: gzip members concatenate into a valid gzip file, but the
 * Workers runtime's DecompressionStream refuses bytes after the first member ("Trailing bytes
 * after end of compressed data", checked in workerd), so each source is inflated and the
 * whole deflated again as one member, streamed through an R2 multipart upload (parts of
 * PART_BYTES >= 5 MiB, the last smaller; memory holds one part).
 *
 * The browser-reference index (event_archive_refs) follows the rows to the compacted object
 * before the sources are deleted.
 *
 * Crash safety: `c-<digest>.manifest.json` (its sources) is put first and deleted last. Until it
 * is gone, the export reads the compacted object instead of the sources when the compacted object
 * exists, the sources otherwise; the next run finishes what a crash interrupted.
 */

/** Source objects per compacted object (R2 calls: one get each, plus a few per run). */
export const COMPACT_MAX_SOURCES = 300;
/** Source bytes (gzip) per compacted object: bounds the cron's CPU for one merge. */
export const COMPACT_MAX_SOURCE_BYTES = 64 * 1024 * 1024;
/** R2 multipart part size: every part but the last must be >= 5 MiB (R2's limit). */
export const PART_BYTES = 8 * 1024 * 1024;
/** R2 calls one cron run spends on compaction (the invocation has 1,000 subrequests in all). */
export const COMPACT_MAX_CALLS = 500;

const WRITE_OBJECT = /^[0-9a-f]{32}\.ndjson\.gz$/;
const MANIFEST = /^(c-[0-9a-f]{32})\.manifest\.json$/;

/** The day prefix of a write object's key (a source compaction may merge), else undefined. */
export function writeObjectPrefix(key: string): string | undefined {
  const slash = key.lastIndexOf("/") + 1;
  return WRITE_OBJECT.test(key.slice(slash)) ? key.slice(0, slash) : undefined;
}

export interface Manifest {
  sources: string[];
}

/** A day's listing: write objects (with sizes), compacted objects and manifests, by name. */
async function listDay(bucket: R2Bucket, prefix: string): Promise<{ names: Map<string, number>; calls: number }> {
  const names = new Map<string, number>();
  let calls = 0;
  let cursor: string | undefined;
  for (;;) {
    calls++;
    const page = await bucket.list({ prefix, limit: 1000, cursor });
    for (const o of page.objects) names.set(o.key.slice(prefix.length), o.size);
    if (!page.truncated) break;
    cursor = page.cursor;
  }
  return { names, calls };
}

/**
 * Inflates `sources` in order and deflates them as one gzip member into a multipart upload of
 * `key` (which may be one of the sources: R2 replaces it only when the upload completes). With
 * `keep`, only the lines it keeps are written (the stream is split at newlines; memory holds one
 * part and one line). Returns the lines written when `keep` is given, else -1 (not counted).
 */
export async function rewriteObjects(
  bucket: R2Bucket,
  key: string,
  sources: string[],
  keep?: (event: ArchivedEvent) => boolean,
): Promise<number> {
  const upload = await bucket.createMultipartUpload(key, { httpMetadata: { contentType: "application/gzip" } });
  let lines = keep ? 0 : -1;
  try {
    const gzip = new CompressionStream("gzip");
    const writer = gzip.writable.getWriter();
    const encoder = new TextEncoder();
    const produce = (async () => {
      for (const source of sources) {
        const object = await bucket.get(source);
        if (!object) continue;
        const inflated = object.body.pipeThrough(new DecompressionStream("gzip"));
        if (!keep) {
          const reader = inflated.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await writer.write(value);
          }
          continue;
        }
        const reader = inflated.pipeThrough(new TextDecoderStream()).getReader();
        let rest = "";
        for (;;) {
          const { done, value } = await reader.read();
          const parts = (rest + (done ? "\n" : value)).split("\n");
          rest = parts.pop() ?? "";
          const kept = parts.filter((l) => l !== "" && keep(JSON.parse(l) as ArchivedEvent));
          lines += kept.length;
          if (kept.length > 0) await writer.write(encoder.encode(kept.map((l) => `${l}\n`).join("")));
          if (done) break;
        }
      }
      await writer.close();
    })().catch(async (err: unknown) => {
      await writer.abort(err).catch(() => undefined);
      throw err;
    });
    const reader = gzip.readable.getReader();
    const parts: R2UploadedPart[] = [];
    let chunks: Uint8Array[] = [];
    let size = 0;
    const flush = async () => {
      parts.push(await upload.uploadPart(parts.length + 1, concat(chunks, size)));
      chunks = [];
      size = 0;
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size >= PART_BYTES) await flush();
    }
    await produce;
    if (size > 0 || parts.length === 0) await flush();
    await upload.complete(parts);
    return lines;
  } catch (err) {
    await upload.abort().catch(() => undefined);
    throw err;
  }
}

/**
 * Moves the browser-reference index (event_archive_refs) of `sources` to `target`: one row per
 * reference, its first_received_at the minimum of its sources' (and of a row `target` already
 * has, when an interrupted compaction is finished).
 */
async function moveRefs(db: Db, sources: string[], target: string): Promise<void> {
  const list = JSON.stringify(sources);
  const inSources = sql`${eventArchiveRefs.objectKey} IN (SELECT value FROM json_each(${list}))`;
  await guard("archiveRefsMove", () =>
    db.batch([
      db
        .insert(eventArchiveRefs)
        .select(
          sql`SELECT instance_ref, ${target}, min(first_received_at) FROM ${eventArchiveRefs} WHERE ${inSources} GROUP BY instance_ref`,
        )
        .onConflictDoUpdate({
          target: [eventArchiveRefs.instanceRef, eventArchiveRefs.objectKey],
          set: { firstReceivedAt: sql`min(first_received_at, excluded.first_received_at)` },
        }),
      db.delete(eventArchiveRefs).where(inSources),
    ]),
  );
}

/**
 * Finishes the interrupted compaction whose manifest is `<prefix><stem>.manifest.json`: when its
 * compacted object exists (`compacted`), the sources' index rows move to it and the sources are
 * deleted; the manifest is deleted either way. Returns the sources deleted and R2 calls spent.
 */
async function finishManifest(
  db: Db,
  bucket: R2Bucket,
  prefix: string,
  stem: string,
  compacted: boolean,
): Promise<{ sources: string[]; calls: number }> {
  let calls = 2; // manifest get + delete
  let deleted: string[] = [];
  const manifest = await bucket.get(`${prefix}${stem}.manifest.json`);
  if (manifest && compacted) {
    const { sources } = await manifest.json<Manifest>();
    calls += 1;
    await moveRefs(db, sources, `${prefix}${stem}.ndjson.gz`);
    await bucket.delete(sources);
    deleted = sources;
  } else await manifest?.body.cancel();
  await bucket.delete(`${prefix}${stem}.manifest.json`);
  return { sources: deleted, calls };
}

/**
 * Finishes every interrupted compaction of one day (`prefix`, dayPrefix's) as compactDay does
 * first: the erasure's purge calls it before rewriting a write object of the day, so it never
 * rewrites a source whose events a compacted object also holds (its index rows would then be
 * moved to that object by values no longer true of it). Lists only the `c-` names (compacted
 * objects and manifests: a few). Returns whether one was finished, and R2 calls spent.
 */
export async function finishCompactions(
  db: Db,
  bucket: R2Bucket,
  prefix: string,
): Promise<{ finished: boolean; calls: number }> {
  const listed = await listDay(bucket, `${prefix}c-`);
  let calls = listed.calls;
  let finished = false;
  for (const name of listed.names.keys()) {
    const m = MANIFEST.exec(`c-${name}`);
    if (!m) continue;
    const done = await finishManifest(db, bucket, prefix, m[1]!, listed.names.has(`${m[1]!.slice(2)}.ndjson.gz`));
    calls += done.calls;
    finished = true;
  }
  return { finished, calls };
}

export interface CompactResult {
  /** Compacted objects written, sources merged and deleted, R2 calls spent. */
  objects: number;
  sources: number;
  calls: number;
}

/**
 * Compacts one product's day within `maxCalls` R2 calls: finishes interrupted compactions (their
 * manifests), then merges the day's write objects, in key order, COMPACT_MAX_SOURCES (or
 * COMPACT_MAX_SOURCE_BYTES) at a time, while the budget lasts. A day with one write object is
 * left alone.
 */
export async function compactDay(
  db: Db,
  bucket: R2Bucket,
  product: string,
  day: string,
  maxCalls: number,
): Promise<CompactResult> {
  const prefix = dayPrefix(product, day);
  const listed = await listDay(bucket, prefix);
  let calls = listed.calls;
  const result: CompactResult = { objects: 0, sources: 0, calls };
  const names = listed.names;
  for (const name of [...names.keys()]) {
    const m = MANIFEST.exec(name);
    if (!m) continue;
    const done = await finishManifest(db, bucket, prefix, m[1]!, names.has(`${m[1]}.ndjson.gz`));
    calls += done.calls;
    for (const s of done.sources) names.delete(s.slice(prefix.length));
    names.delete(name);
  }
  // An object still in the outbox may be put again by the cron's flush: never merge it.
  const pending = await guard("compactPending", () =>
    db
      .selectDistinct({ key: eventArchivePending.objectKey })
      .from(eventArchivePending)
      .where(and(eq(eventArchivePending.product, product), eq(eventArchivePending.day, day))),
  );
  const unconfirmed = new Set(pending.map((p) => p.key.slice(prefix.length)));
  const writes = [...names.keys()].filter((n) => WRITE_OBJECT.test(n) && !unconfirmed.has(n)).sort();
  while (writes.length >= 2) {
    const batch: string[] = [];
    let bytes = 0;
    while (writes.length > 0 && batch.length < COMPACT_MAX_SOURCES) {
      const size = names.get(writes[0]!) ?? 0;
      if (batch.length > 0 && bytes + size > COMPACT_MAX_SOURCE_BYTES) break;
      batch.push(writes.shift()!);
      bytes += size;
    }
    // manifest put + gets + (create, parts, complete) + delete sources + delete manifest.
    const cost = batch.length + 6 + Math.ceil(bytes / PART_BYTES);
    if (batch.length < 2 || calls + cost > maxCalls) break;
    const sources = batch.map((n) => prefix + n);
    const stem = `c-${await writeDigest(sources)}`;
    await bucket.put(`${prefix}${stem}.manifest.json`, JSON.stringify({ sources } satisfies Manifest), {
      httpMetadata: { contentType: "application/json" },
    });
    await rewriteObjects(bucket, `${prefix}${stem}.ndjson.gz`, sources);
    await moveRefs(db, sources, `${prefix}${stem}.ndjson.gz`);
    await bucket.delete(sources);
    await bucket.delete(`${prefix}${stem}.manifest.json`);
    calls += cost;
    result.objects += 1;
    result.sources += batch.length;
  }
  result.calls = calls;
  if (result.objects > 0) log("info", "event archive compacted", { product, day, ...result });
  return result;
}

/**
 * Reads the manifests of an export's listing (interrupted or running compactions) and returns
 * the keys the export must skip: a manifest's sources when its compacted object is listed, the
 * compacted object otherwise (never both, never neither). One R2 call per manifest.
 */
export async function keysToSkip(
  bucket: R2Bucket,
  keys: Set<string>,
  manifests: string[],
): Promise<{ skip: Set<string>; calls: number }> {
  const skip = new Set<string>();
  for (const key of manifests) {
    const compacted = key.replace(/\.manifest\.json$/, ".ndjson.gz");
    const object = await bucket.get(key);
    if (!object) continue;
    const { sources } = await object.json<Manifest>();
    if (keys.has(compacted)) for (const s of sources) skip.add(s);
    else skip.add(compacted);
  }
  return { skip, calls: manifests.length };
}

/**
 * The cron's compaction: every archived product's `days` (the days still written to: today and
 * the recent ones), oldest first, within COMPACT_MAX_CALLS R2 calls in all. A day left over (the
 * budget ran out) is continued by the next hourly run.
 */
export async function compactArchive(db: Db, bucket: R2Bucket, days: string[]): Promise<CompactResult> {
  const { products, calls } = await archivedProducts(bucket);
  const total: CompactResult = { objects: 0, sources: 0, calls };
  for (const day of [...days].sort()) {
    for (const product of products) {
      if (total.calls >= COMPACT_MAX_CALLS) return total;
      const r = await compactDay(db, bucket, product, day, COMPACT_MAX_CALLS - total.calls);
      total.objects += r.objects;
      total.sources += r.sources;
      total.calls += r.calls;
    }
  }
  return total;
}
