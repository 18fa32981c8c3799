// Erasing an installation from the raw-event archive (worker/store/eventErasure.ts): every erase
// removes every archived event of the reference received up to it, the index
// (event_archive_refs) stays true, and each erase rewrites its objects once.
import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { browserRef } from "../../schema";
import { database } from "../../worker/store/db";
import type { EventRow } from "../../worker/store/events";
import { writeEvents } from "../../worker/store/eventWrites";
import { EVENT_ARCHIVE_PREFIX, type ArchivedEvent } from "../../worker/store/eventArchive";
import { ERASURE_HOLD_DAYS, purgeErased } from "../../worker/store/eventErasure";
import { utcDay } from "../../worker/lib/time";
import { admin, count, emptyArchive, emptyDatabase } from "./helpers";
import { cron, insertPings } from "./statsSeed";

const DAY_MS = 86_400_000;
const OTHER = "otherref0000000000000a";
const later = (ms = 20) => new Promise((r) => setTimeout(r, ms)); // workerd's clock moves on across timers

let n = 0;
/** An event of `ref` received at `receivedAt` (its day that of receipt). */
function row(ref: string | null, receivedAt: number): EventRow {
  const i = n++;
  return {
    uuid: `00000000-0000-4000-a000-${String(i).padStart(12, "0")}`,
    product: "alpha",
    event: "$pageview",
    timestamp: receivedAt - 500,
    receivedAt,
    day: utcDay(receivedAt),
    distinctId: `v${i % 3}`,
    sessionId: `s${i % 4}`,
    path: `/p${i % 5}`,
    referrerDomain: null,
    browser: "Chrome",
    os: "Linux",
    lib: "web",
    libVersion: "1.449.2",
    instanceRef: ref,
    appVersion: "2.1.0",
    licenseType: null,
    durationMs: null,
    props: null,
  };
}

/** Every archived event, by object key. */
async function archive(): Promise<Map<string, ArchivedEvent[]>> {
  const objects = new Map<string, ArchivedEvent[]>();
  for (const o of (await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects) {
    if (!o.key.endsWith(".ndjson.gz")) continue;
    const body = (await env.ARCHIVE.get(o.key))!.body.pipeThrough(new DecompressionStream("gzip"));
    const text = await new Response(body).text();
    objects.set(
      o.key,
      text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as ArchivedEvent),
    );
  }
  return objects;
}

/** The index the archive's contents call for: (ref, object, earliest received_at), sorted. */
async function indexOfContents(): Promise<string[]> {
  const rows: string[] = [];
  for (const [key, events] of await archive()) {
    const first = new Map<string, number>();
    for (const e of events)
      if (typeof e.instance_ref === "string")
        first.set(e.instance_ref, Math.min(first.get(e.instance_ref) ?? Infinity, e.received_at as number));
    for (const [ref, at] of first) rows.push(`${ref} ${key} ${at}`);
  }
  return rows.sort();
}

async function indexRows(): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT instance_ref AS ref, object_key AS key, first_received_at AS at FROM event_archive_refs",
  ).all<{ ref: string; key: string; at: number }>();
  return results.map((r) => `${r.ref} ${r.key} ${r.at}`).sort();
}

async function erasedAt(ref: string): Promise<number> {
  const row = await env.DB.prepare("SELECT erased_at AS at FROM erased_refs WHERE ref = ?")
    .bind(ref)
    .first<{ at: number }>();
  return row!.at;
}

/** uuids of the events CSV export over `days` (the first cell of each data line). */
async function exported(days: string[]): Promise<Set<string>> {
  const sorted = [...days].sort();
  const res = await admin(`/v1/admin/export/events.csv?from=${sorted[0]}&to=${sorted[sorted.length - 1]}`);
  expect(res.status).toBe(200);
  const lines = (await res.text()).split("\r\n").filter((l) => l !== "");
  return new Set(lines.slice(1).map((l) => l.split(",")[0]!));
}

const write = (rows: EventRow[], now: number) => writeEvents(database(env), env.ARCHIVE, rows, now);

beforeEach(async () => {
  await emptyDatabase();
  await emptyArchive();
});

describe("erasing an installation from the R2 archive", () => {
  it("a second erase of a reference removes the events it sent after the first, however many purges ran between", async () => {
    const id = "5eed0000-0000-4000-8000-0000000000e1";
    const ref = await browserRef(id);
    const start = Date.now();
    await insertPings([{ id, day: utcDay(start), version: "1.0.0", product: "alpha" }]);
    const before = [row(ref, start - 5000), row(OTHER, start - 4000), row(ref, start - 3000)];
    await write(before.slice(0, 2), start);
    await write(before.slice(2), start);
    await later();
    expect((await admin(`/v1/admin/instances/${id}`, { method: "DELETE" })).status).toBe(204);
    const first = await erasedAt(ref);

    // The installation sends again, as a new one: events received after the erase are kept, and
    // archived between the cron runs of the hold.
    const afterFirst: EventRow[] = [];
    for (let run = 0; run < 3; run++) {
      const rows = [row(ref, first + 1 + run * 2), row(OTHER, first + 2 + run * 2)];
      afterFirst.push(...rows);
      await write(run === 1 ? rows.slice(0, 1) : rows, first + 10);
      if (run === 1) await write(rows.slice(1), first + 10);
      await cron(first + 60_000 * (run + 1));
      expect(await count("erased_refs")).toBe(1);
      expect(await indexRows()).toEqual(await indexOfContents());
    }
    const kept = (await archive()).size;
    expect(kept).toBeGreaterThan(0);

    await later();
    expect((await admin(`/v1/admin/instances/${id}`, { method: "DELETE" })).status).toBe(404); // recorded all the same
    const second = await erasedAt(ref);
    expect(second).toBeGreaterThan(Math.max(...afterFirst.map((r) => r.receivedAt)));
    const afterSecond = [row(ref, second + 1), row(OTHER, second + 2)];
    await write(afterSecond, second + 10);

    await cron(second + 60_000);
    const lines = [...(await archive()).values()].flat();
    const ofRef = lines.filter((e) => e.instance_ref === ref);
    expect(ofRef.map((e) => e.uuid)).toEqual([afterSecond[0]!.uuid]); // nothing received up to the second erase
    const others = [...before, ...afterFirst, ...afterSecond].filter((r) => r.instanceRef === OTHER);
    expect(lines.filter((e) => e.instance_ref === OTHER).map((e) => e.uuid)).toEqual(
      expect.arrayContaining(others.map((r) => r.uuid)),
    );
    expect(await indexRows()).toEqual(await indexOfContents());

    // Once the hold is over the reference is forgotten: the export leaves nothing out by it any more.
    await cron(second + ERASURE_HOLD_DAYS * DAY_MS + 1);
    expect(await count("erased_refs")).toBe(0);
    const all = [...before, ...afterFirst, ...afterSecond];
    const csv = await exported(all.map((r) => r.day));
    expect(csv).toEqual(new Set([...others, afterSecond[0]!].map((r) => r.uuid)));
    expect(await indexRows()).toEqual(await indexOfContents());
  });

  it("a purge rewrites an erase's objects once: the next run, with nothing new erased, rewrites nothing", async () => {
    const id = "5eed0000-0000-4000-8000-0000000000e2";
    const ref = await browserRef(id);
    const start = Date.now();
    await insertPings([{ id, day: utcDay(start), version: "1.0.0", product: "alpha" }]);
    await write([row(ref, start - 3000), row(OTHER, start - 2000)], start);
    await write([row(ref, start - 1000)], start);
    await later();
    expect((await admin(`/v1/admin/instances/${id}`, { method: "DELETE" })).status).toBe(204);
    const at = await erasedAt(ref);
    const db = database(env);

    expect(await purgeErased(db, env.ARCHIVE, at + 60_000)).toBe(2); // the mixed object rewritten, the own one emptied
    expect(await purgeErased(db, env.ARCHIVE, at + 120_000)).toBe(0);

    // Events received after the erase, archived: nothing of them is erased, so no run rewrites them.
    await write([row(ref, at + 1), row(OTHER, at + 2)], at + 10);
    const heads = async () =>
      new Map(
        (await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects.map((o) => [o.key, o.uploaded.getTime()]),
      );
    const put = await heads();
    expect(put.size).toBe(2);
    await later();
    expect(await purgeErased(db, env.ARCHIVE, at + 180_000)).toBe(0);
    expect(await purgeErased(db, env.ARCHIVE, at + 240_000)).toBe(0);
    expect(await heads()).toEqual(put);
    expect(await indexRows()).toEqual(await indexOfContents());
    expect(await count("erased_refs")).toBe(1);
  });

  it("an erase during an interrupted compaction: the compacted object loses the events too, not only its sources", async () => {
    const id = "5eed0000-0000-4000-8000-0000000000e3";
    const ref = await browserRef(id);
    const start = Date.now();
    await insertPings([{ id, day: utcDay(start), version: "1.0.0", product: "alpha" }]);
    const writes = [
      [row(ref, start - 5000), row(OTHER, start - 4000)],
      [row(ref, start - 3000)],
      [row(OTHER, start - 2000)],
    ];
    for (const w of writes) await write(w, start);
    const sources = (await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects.map((o) => o.key).sort();
    expect(sources).toHaveLength(3);
    const bytes = new Map<string, ArrayBuffer>();
    for (const k of sources) bytes.set(k, await (await env.ARCHIVE.get(k))!.arrayBuffer());
    const { results: index } = await env.DB.prepare("SELECT * FROM event_archive_refs").all<Record<string, unknown>>();

    await cron(start + 1000); // compacts the three into one object
    const compacted = (await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects.map((o) => o.key);
    expect(compacted).toHaveLength(1);
    // The compaction interrupted after its object was put: sources, manifest and the sources' index rows still there.
    for (const [k, b] of bytes) await env.ARCHIVE.put(k, b);
    await env.ARCHIVE.put(compacted[0]!.replace(/\.ndjson\.gz$/, ".manifest.json"), JSON.stringify({ sources }));
    await env.DB.prepare("DELETE FROM event_archive_refs").run();
    for (const r of index)
      await env.DB.prepare(
        "INSERT INTO event_archive_refs (instance_ref, object_key, first_received_at) VALUES (?, ?, ?)",
      )
        .bind(r.instance_ref, r.object_key, r.first_received_at)
        .run();

    await later();
    expect((await admin(`/v1/admin/instances/${id}`, { method: "DELETE" })).status).toBe(204);
    const at = await erasedAt(ref);
    await cron(at + 60_000);
    const lines = [...(await archive()).values()].flat();
    expect(lines.filter((e) => e.instance_ref === ref)).toEqual([]);
    expect(lines.map((e) => e.uuid).sort()).toEqual([writes[0]![1]!.uuid, writes[2]![0]!.uuid].sort());
    expect((await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects.map((o) => o.key)).toEqual(compacted);
    expect(await indexRows()).toEqual(await indexOfContents());
    await cron(at + ERASURE_HOLD_DAYS * DAY_MS + 1);
    expect(await count("erased_refs")).toBe(0);
    expect(await exported([utcDay(start - 5000), utcDay(start)])).toEqual(
      new Set([writes[0]![1]!.uuid, writes[2]![0]!.uuid]),
    );
  });

  it("an index row from before first_received_at existed (0) is rewritten once, then holds the true value", async () => {
    const ref = "legacyref0000000000000a";
    const at = Date.now();
    await env.DB.prepare("INSERT INTO erased_refs (ref, erased_at) VALUES (?, ?)").bind(ref, at).run();
    const after = [row(ref, at + 5), row(OTHER, at + 6)];
    await write(after, at + 10);
    await env.DB.prepare("UPDATE event_archive_refs SET first_received_at = 0").run(); // as the migration leaves old rows
    const db = database(env);
    expect(await purgeErased(db, env.ARCHIVE, at + 60_000)).toBe(1);
    expect(await indexRows()).toEqual(await indexOfContents());
    expect(await purgeErased(db, env.ARCHIVE, at + 120_000)).toBe(0);
    const lines = [...(await archive()).values()].flat();
    expect(lines.map((e) => e.uuid).sort()).toEqual(after.map((r) => r.uuid).sort()); // nothing of it erased
  });
});
