import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { database } from "../../worker/store/db";
import type { EventRow } from "../../worker/store/events";
import { writeEvents } from "../../worker/store/eventWrites";
import { EVENT_ARCHIVE_PREFIX, writeDigest } from "../../worker/store/eventArchive";
import type { IngestMessage } from "../../worker/pipeline/queue/message";
import { admin as callAdmin, count, emptyArchive, emptyDatabase, prng } from "./helpers";
import { consume, type Held } from "./queueHelpers";
import { cron } from "./statsSeed";

const DAY = "2026-11-20";
const NEXT = "2026-11-21";
const at = (day: string, ms: number) => Date.parse(`${day}T00:00:00Z`) + ms;

/** n random events of two products over DAY and NEXT: page views/leaves, custom events with props, missing ids. */
function randomEvents(n: number, seed: number): EventRow[] {
  const r = prng(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const day = r() < 0.7 ? DAY : NEXT;
    const event = pick(["$pageview", "$pageview", "$pageleave", "deploy", "export_done", "$autocapture"]);
    const custom = !event.startsWith("$");
    return {
      uuid: `00000000-0000-4000-8000-${String(seed * 100_000 + i).padStart(12, "0")}`,
      product: pick(["alpha", "beta"]),
      event,
      timestamp: at(day, Math.floor(r() * 86_000_000)),
      receivedAt: at(day, 3_600_000 + i),
      day,
      distinctId: r() < 0.1 ? null : pick(["v1", "v2", "v3", "v4", "v5"]),
      sessionId: r() < 0.1 ? null : pick(["s1", "s2", "s3", "s4", "s5", "s6", "s7"]),
      path: event === "$autocapture" ? null : pick(["/", "/flows", "/settings", null]),
      appVersion: pick(["1.0.0", "1.1.0", null]),
      durationMs: event === "$pageleave" ? Math.floor(r() * 4_000_000) : null,
      props: custom ? { format: pick(["csv", "pdf"]), big: r() < 0.5, n: pick([1, 2]) } : null,
    };
  });
}

/** The incremental counters as the stats read them (durations, entries and exits are the cron's). */
async function counters() {
  const q = async (sql: string) => (await env.DB.prepare(sql).all()).results;
  return {
    frontend: await q(
      "SELECT product, day, events, pageviews, pageleaves, sessions, visitors FROM rollup_frontend ORDER BY product, day",
    ),
    pages: await q("SELECT product, day, path, pageviews, leaves FROM rollup_pages ORDER BY product, day, path"),
    events: await q("SELECT * FROM rollup_events ORDER BY product, day, event, app_version"),
    props: await q("SELECT * FROM rollup_event_props ORDER BY product, day, event, key, value"),
  };
}

async function archiveKeys(): Promise<string[]> {
  const list = await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX });
  return list.objects.map((o) => o.key).sort();
}

beforeEach(async () => {
  await emptyDatabase();
  await emptyArchive();
});

describe("incremental frontend counters, written with the events", () => {
  it("after batches (duplicate uuids, retried batches, two products, two days) equal the cron's rebuild of those days", async () => {
    const all = randomEvents(600, 1);
    const db = database(env);
    // Batches overlap: each resends part of the previous one, one repeats a uuid inside itself,
    // and the second batch is retried whole.
    const batches = [all.slice(0, 200), all.slice(150, 400), all.slice(150, 400), [...all.slice(380, 600), all[390]!]];
    for (const b of batches) await writeEvents(db, env.ARCHIVE, b, at(NEXT, 23 * 3_600_000));
    expect(await count("events")).toBe(600);
    expect(await count("events_incoming")).toBe(0);
    expect(await count("event_archive_pending")).toBe(0);

    const incremental = await counters();
    // Fresh without any cron, and counted once each:
    const total = incremental.frontend.reduce((n, r) => n + (r.events as number), 0);
    expect(total).toBe(600);
    const pageviews = all.filter((e) => e.event === "$pageview");
    expect(incremental.frontend.reduce((n, r) => n + (r.pageviews as number), 0)).toBe(pageviews.length);
    const sessions = new Set(all.filter((e) => e.sessionId).map((e) => `${e.product}|${e.day}|${e.sessionId}`));
    expect(incremental.frontend.reduce((n, r) => n + (r.sessions as number), 0)).toBe(sessions.size);
    expect(incremental.events.length).toBeGreaterThan(0);
    expect(incremental.props.length).toBeGreaterThan(0);

    await cron(at(NEXT, 23 * 3_600_000)); // rebuilds DAY and NEXT (recent days) from the raw rows
    expect(await counters()).toEqual(incremental);
  });

  it("a redelivered consumer batch (and the same rows in other batches) changes no counter and no archive object", async () => {
    const rows = randomEvents(300, 2);
    const messages: Held[] = [0, 100, 200].map((from, i) => ({
      id: `m${i}`,
      body: { kind: "events", rows: rows.slice(from, from + 100) } satisfies IngestMessage,
      attempts: 0,
    }));
    expect(await consume("candor-ingest", messages)).toBe(true);
    const before = { counters: await counters(), keys: await archiveKeys(), events: await count("events") };
    expect(before.events).toBe(300);
    // Two or four objects: one per product and day of the batch.
    expect(before.keys.length).toBeGreaterThanOrEqual(2);

    expect(await consume("candor-ingest", messages)).toBe(true); // the queue redelivers the batch
    expect(await consume("candor-ingest", [messages[1]!])).toBe(true); // one message again, alone
    expect(await counters()).toEqual(before.counters);
    expect(await archiveKeys()).toEqual(before.keys);
    expect(await count("events")).toBe(300);
  });

  it("an R2 failure after D1 committed: the outbox keeps the object and the cron puts it once", async () => {
    const rows = randomEvents(50, 3);
    const failing = new Proxy(env.ARCHIVE, {
      get(target, prop) {
        if (prop === "put") return async () => Promise.reject(new Error("injected R2 failure"));
        const value: unknown = Reflect.get(target, prop);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const now = at(NEXT, 3_600_000);
    await expect(writeEvents(database(env), failing, rows, now)).rejects.toThrow("injected R2 failure");
    expect(await count("events")).toBe(50);
    expect(await count("event_archive_pending")).toBeGreaterThan(0);
    expect(await archiveKeys()).toEqual([]);
    // The client retries: the rows are stored, so nothing is written or counted again.
    const counted = await counters();
    expect((await writeEvents(database(env), env.ARCHIVE, rows, now)).inserted).toBe(0);
    expect(await counters()).toEqual(counted);

    await cron(now + 60_000); // within the grace period: a live writer may still be putting it
    expect(await archiveKeys()).toEqual([]);
    await cron(now + 3_600_000);
    expect(await count("event_archive_pending")).toBe(0);
    const keys = await archiveKeys();
    expect(keys.length).toBeGreaterThan(0);
    const res = await env.ARCHIVE.get(keys[0]!);
    expect(res).not.toBeNull();
    await res!.arrayBuffer();
    await cron(now + 7_200_000);
    expect(await archiveKeys()).toEqual(keys);
  });

  it("an object whose outbox row outlived its put is not compacted until the cron has put it again (no row twice)", async () => {
    const now = at(NEXT, 3_600_000);
    const writes = [randomEvents(20, 4), randomEvents(20, 5), randomEvents(20, 6)].map((w) =>
      w.map((r) => ({ ...r, product: "alpha", day: NEXT, receivedAt: at(NEXT, r.receivedAt % 3_600_000) })),
    );
    for (const w of writes) await writeEvents(database(env), env.ARCHIVE, w, now);
    const keys = await archiveKeys();
    expect(keys).toHaveLength(3);
    // The put of keys[0] succeeded but deleting its outbox row failed.
    let first: EventRow[] = [];
    for (const w of writes) if (keys[0]!.includes(await writeDigest(w.map((r) => r.uuid)))) first = w;
    expect(first).toHaveLength(20);
    await env.DB.prepare(
      "INSERT INTO event_archive_pending (object_key, product, day, uuids, created_at) VALUES (?, 'alpha', ?, ?, ?)",
    )
      .bind(keys[0], NEXT, JSON.stringify(first.map((r) => r.uuid)), now)
      .run();
    const csv = async () =>
      (await (await callAdmin(`/v1/admin/export/events.csv?from=${NEXT}&to=${NEXT}`)).text())
        .split("\r\n")
        .slice(1)
        .sort();
    const rows = await csv();
    expect(rows.filter((l) => l !== "")).toHaveLength(60);
    await cron(now + 60_000); // compacts the two confirmed objects only
    const after = await archiveKeys();
    expect(after).toContain(keys[0]);
    expect(after).toHaveLength(2);
    expect(await csv()).toEqual(rows);
    await cron(now + 3_600_000); // the cron puts keys[0] again from D1 (same rows) and forgets the outbox row
    expect(await count("event_archive_pending")).toBe(0);
    expect(await csv()).toEqual(rows);
  });
});
