import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import worker from "../../worker/index";
import { database } from "../../worker/store/db";
import type { EventRow } from "../../worker/store/events";
import { EVENT_DEDUPE_DAYS, writeEvents } from "../../worker/store/eventWrites";
import { ADMIN, callWith, count, emptyArchive, emptyDatabase, errorCode, prng, uuid } from "./helpers";

/**
 * The event writer's counters without raw events: entries/exits and time-on-page histograms are
 * counted as events arrive (exact in any order), uuids are deduped through event_ids, and with
 * EVENTS_D1_DAYS = 0 nothing is written to `events` while the counters and the R2 export stay
 * exact.
 */

const DAY = "2026-11-20";
const NEXT = "2026-11-21";
const at = (day: string, ms: number) => Date.parse(`${day}T00:00:00Z`) + ms;
const NOW = at(NEXT, 23 * 3_600_000);

/**
 * n random events of two products over two days: many page views per session with few distinct
 * client times (ties broken by uuid), some without a client time (received_at counts), pages
 * left with durations across every bucket kind (seconds, minutes, over an hour, negative),
 * sessions and paths sometimes missing, custom events with properties.
 */
function randomEvents(n: number, seed: number): EventRow[] {
  const r = prng(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const day = r() < 0.6 ? DAY : NEXT;
    const event = pick(["$pageview", "$pageview", "$pageview", "$pageleave", "$pageleave", "deploy"]);
    const durationMs = pick([-5, 0, 999, 1_000, 59_999, 599_999, 600_000, 3_599_999, 3_600_000, 9_000_000, null]);
    return {
      uuid: `00000000-0000-4000-8000-${String(seed * 100_000 + i).padStart(12, "0")}`,
      product: pick(["alpha", "beta"]),
      event,
      timestamp: r() < 0.15 ? null : at(day, 1_000 * Math.floor(r() * 12)),
      receivedAt: at(day, 500 * Math.floor(r() * 30)),
      day,
      distinctId: r() < 0.1 ? null : pick(["v1", "v2", "v3", "v4"]),
      sessionId: r() < 0.1 ? null : pick(["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"]),
      path: r() < 0.1 ? null : pick(["/", "/flows", "/settings", "/projects/:id", "/admin"]),
      appVersion: pick(["1.0.0", "1.1.0", null]),
      durationMs: event === "$pageleave" ? durationMs : null,
      props: event === "deploy" ? { target: pick(["prod", "staging"]), n: pick([1, 2]) } : null,
    };
  });
}

/** Batches of the rows in a shuffled order, with duplicates inside and across batches and whole batches redelivered. */
function shuffledBatches(rows: EventRow[], seed: number): EventRow[][] {
  const r = prng(seed);
  const order = [...rows];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const batches: EventRow[][] = [];
  for (let i = 0; i < order.length;) {
    const size = 1 + Math.floor(r() * 60);
    const batch = order.slice(i, i + size);
    // A resend of some earlier rows rides along, and one row twice in the batch.
    if (i > 0) batch.push(...order.slice(Math.max(0, i - 10), i - Math.floor(r() * 10)));
    if (batch.length > 0) batch.push(batch[0]!);
    batches.push(batch);
    if (r() < 0.2) batches.push([...batch].reverse()); // the queue redelivers it
    i += size;
  }
  return batches;
}

/** Every frontend rollup, histograms parsed (key order is not part of the answer). */
async function rollups() {
  const q = async (sql: string) => (await env.DB.prepare(sql).all<Record<string, unknown>>()).results;
  const parsed = (rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> =>
    rows.map((row) => ({
      ...row,
      durations: typeof row.durations === "string" ? (JSON.parse(row.durations) as unknown) : row.durations,
    }));
  return {
    frontend: parsed(await q("SELECT * FROM rollup_frontend ORDER BY product, day")),
    pages: parsed(await q("SELECT * FROM rollup_pages ORDER BY product, day, path")),
    events: await q("SELECT * FROM rollup_events ORDER BY product, day, event, app_version"),
    props: await q("SELECT * FROM rollup_event_props ORDER BY product, day, event, key, value"),
  };
}

/** The worker's scheduled() with EVENTS_D1_DAYS overridden. */
async function cronWith(eventsD1Days: string, when: number): Promise<void> {
  await worker.scheduled({ scheduledTime: when, cron: "17 * * * *", noRetry() {} }, {
    ...env,
    EVENTS_D1_DAYS: eventsD1Days,
  } as unknown as Env);
}

/** An admin GET through the worker's fetch with EVENTS_D1_DAYS overridden. */
function adminWith(eventsD1Days: string, path: string): Promise<Response> {
  return callWith({ EVENTS_D1_DAYS: eventsD1Days }, path, { headers: ADMIN });
}

beforeEach(async () => {
  await emptyDatabase();
  await emptyArchive();
});

describe("entries, exits and durations counted by the event writer", () => {
  for (const seed of [11, 12, 13]) {
    it(`equal the cron's rebuild from raw rows over shuffled batches with duplicates and redeliveries (seed ${seed})`, async () => {
      const rows = randomEvents(700, seed);
      for (const b of shuffledBatches(rows, seed + 1000)) await writeEvents(database(env), env.ARCHIVE, b, NOW);
      expect(await count("events")).toBe(700);
      const incremental = await rollups();
      // The data exercise what they claim to: entries moved, histograms filled.
      expect(incremental.pages.some((p) => (p.entries as number) > 0 && (p.exits as number) > 0)).toBe(true);
      expect(incremental.frontend.every((f) => f.durations !== null)).toBe(true);

      await cronWith("7", NOW); // rebuilds DAY and NEXT from the raw rows
      expect(await rollups()).toEqual(incremental);
    });
  }
});

describe("EVENTS_D1_DAYS = 0: raw events never in D1", () => {
  it("nothing in `events`; counters equal the raw rebuild of the same rows; the cron keeps them; the export has every event once", async () => {
    const rows = randomEvents(500, 21);
    // Reference: the same rows with raw events in D1, rebuilt by the cron.
    for (const b of shuffledBatches(rows, 22)) await writeEvents(database(env), env.ARCHIVE, b, NOW);
    await cronWith("7", NOW);
    const expected = await rollups();
    await emptyDatabase();
    await emptyArchive();

    for (const b of shuffledBatches(rows, 23)) await writeEvents(database(env), env.ARCHIVE, b, NOW, false);
    expect(await count("events")).toBe(0);
    expect(await count("event_ids")).toBe(500);
    expect(await rollups()).toEqual(expected);
    await cronWith("0", NOW); // no raw rows: the counters stay as they are (and are trimmed, here to nothing)
    expect(await rollups()).toEqual(expected);
    expect(await count("events")).toBe(0);

    const res = await adminWith("0", `/v1/admin/export/events.csv?from=${DAY}&to=${NEXT}`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\r\n").slice(1);
    expect(lines.map((l) => l.split(",")[0]).sort()).toEqual(rows.map((r) => r.uuid).sort());
  });

  it(`a resend within the dedupe horizon (${EVENT_DEDUPE_DAYS} days from its receipt) adds nothing; after it, it is stored and counted again (documented)`, async () => {
    const rows = randomEvents(80, 31);
    const db = database(env);
    expect((await writeEvents(db, env.ARCHIVE, rows, NOW, false)).inserted).toBe(80);
    const counted = await rollups();
    const objects = (await env.ARCHIVE.list()).objects.length;
    // Four days after DAY (the queue's default retention: a message sent on DAY is delivered by
    // then), on a day the dedupe horizon still reaches back to DAY: the same uuids add nothing.
    const later = at(DAY, 4 * 86_400_000 + 3_600_000);
    expect((await writeEvents(db, env.ARCHIVE, rows, later, false)).inserted).toBe(0);
    expect(await rollups()).toEqual(counted);
    expect((await env.ARCHIVE.list()).objects.length).toBe(objects);

    // The cron keeps the horizon's ids (received on its days) and drops older days'.
    await cronWith("0", later);
    expect(await count("event_ids")).toBe(80);
    await cronWith("0", later + 86_400_000);
    expect(await count("event_ids")).toBe(rows.filter((r) => r.day === NEXT).length);
    await cronWith("0", later + 2 * 86_400_000);
    expect(await count("event_ids")).toBe(0);
    expect(await count("event_seen")).toBe(0);
    // Past the horizon a resend of the same rows (with their old days) is stored and counted again.
    expect((await writeEvents(db, env.ARCHIVE, rows, later + 2 * 86_400_000, false)).inserted).toBe(80);
  });

  it("an R2 failure: the outbox puts the object from its own lines (no `events` row to read)", async () => {
    const rows = randomEvents(40, 41);
    const failing = new Proxy(env.ARCHIVE, {
      get(target, prop) {
        if (prop === "put") return async () => Promise.reject(new Error("injected R2 failure"));
        const value: unknown = Reflect.get(target, prop);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    // Reference: the export of the same rows written without a failure.
    await writeEvents(database(env), env.ARCHIVE, rows, NOW, false);
    const exportPath = `/v1/admin/export/events.csv?from=${DAY}&to=${NEXT}`;
    const expected = await (await adminWith("0", exportPath)).text();
    await emptyDatabase();
    await emptyArchive();

    await expect(writeEvents(database(env), failing, rows, NOW, false)).rejects.toThrow("injected R2 failure");
    expect(await count("events")).toBe(0);
    expect(await count("event_archive_pending")).toBeGreaterThan(0);
    await cronWith("0", NOW + 3_600_000);
    expect(await count("event_archive_pending")).toBe(0);
    // Byte for byte what the writer would have put (same keys, same lines).
    expect(await (await adminWith("0", exportPath)).text()).toBe(expected);
    expect(expected.trim().split("\r\n").length).toBe(41);
  });

  it("the capture route stores nothing in `events`, counts the batch once, and a resend is a duplicate", async () => {
    const batch = ["/", "/flows", "/flows"].map((path, i) => ({
      uuid: uuid(),
      event: i === 2 ? "$pageleave" : "$pageview",
      timestamp: new Date(Date.now() + i * 1000).toISOString(),
      properties: {
        distinct_id: "d1",
        $session_id: "s1",
        token: "phc_candor_dev",
        $pathname: path,
        $prev_pageview_duration: 12,
      },
    }));
    const send = () =>
      callWith({ EVENTS_D1_DAYS: "0" }, "/batch/", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ api_key: "phc_candor_dev", batch }),
      });
    const first = await send();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ accepted: 3, duplicates: 0 });
    const again = await send();
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(await count("events")).toBe(0);
    expect(await count("event_ids")).toBe(3);
    const { pages } = await rollups();
    expect(pages.map((p) => [p.path, p.pageviews, p.entries, p.exits, p.leaves])).toEqual([
      ["/", 1, 1, 0, 0],
      ["/flows", 1, 0, 1, 1],
    ]);
    expect(pages[1]!.durations).toEqual({ "12": 1 });
  });

  it("the admin event list answers 404 events_not_kept (an empty list would read as nothing captured)", async () => {
    const res = await adminWith("0", "/v1/admin/events");
    expect(res.status).toBe(404);
    expect(await errorCode(res)).toBe("events_not_kept");
    expect((await adminWith("7", "/v1/admin/events")).status).toBe(200);
  });

  it("event_ids is WITHOUT ROWID (migration 0016; a table rebuilt by a later drizzle-kit migration would lose it)", async () => {
    const row = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE name = 'event_ids'").first<{ sql: string }>();
    expect(row!.sql).toMatch(/WITHOUT ROWID\s*$/);
  });
});
