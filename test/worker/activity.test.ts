import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sql, type SQL } from "drizzle-orm";
import flowfuse from "../fixtures/ping-flowfuse-ce.json";
import type { ActiveStats, VersionStats } from "../../schema";
import { ACTIVITY_REACH_DAYS, inWindow, mergeDay, type Activity } from "../../worker/lib/activityMask";
import { addDays, dayRange, utcDay } from "../../worker/lib/time";
import { runLifecycle } from "../../worker/pipeline/rollup/run";
import { windowOf } from "../../worker/pipeline/rollup/steps";
import { storeMessages } from "../../worker/pipeline/queue/store";
import type { IngestMessage } from "../../worker/pipeline/queue/message";
import {
  activeFromActivitySql,
  activityOf,
  ensureActiveDay,
  inWindowSql,
  recordActivity,
} from "../../worker/store/activity";
import { ensureDayDims } from "../../worker/store/dayDims";
import { database } from "../../worker/store/db";
import { dimsSql, factsSql, rawActiveSql } from "../../worker/store/rollupSql";
import { admin, adminJson, callWith, emptyDatabase, prng, uuid } from "./helpers";
import { consume, holdingQueue } from "./queueHelpers";
import { backfillActivity } from "./statsSeed";

function shuffled<T>(xs: T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const T = "2026-10-15"; // "today" of the data sets
const noon = (day: string) => Date.parse(`${day}T12:00:00Z`);
const fold = (days: string[]) => days.reduce<Activity | undefined>((a, d) => mergeDay(a, d), undefined);

describe("the activity record as pure functions (lib/activityMask.ts)", () => {
  it("merges a ping: a newer day shifts the mask, a late one sets its bit, a repeated one changes nothing", () => {
    expect(mergeDay(undefined, T)).toEqual({ lastDay: T, seen: 1n });
    const a = fold([addDays(T, -3), T]);
    expect(a).toEqual({ lastDay: T, seen: 0b1001n });
    expect(fold([T, addDays(T, -3)])).toEqual(a); // out of order
    expect(mergeDay(a, T)).toEqual(a); // duplicate
    expect(mergeDay(a, addDays(T, -3))).toEqual(a);
    expect(mergeDay(a, addDays(T, -1))).toEqual({ lastDay: T, seen: 0b1011n }); // late, within reach
  });

  it("keeps 62 days: bit 61 is the oldest; a gap of more than 61 days starts over, a ping that late is dropped", () => {
    expect(fold([addDays(T, -61), T])).toEqual({ lastDay: T, seen: (1n << 61n) | 1n });
    expect(fold([addDays(T, -62), T])).toEqual({ lastDay: T, seen: 1n });
    expect(fold([T, addDays(T, -62)])).toEqual({ lastDay: T, seen: 1n });
    expect(fold([addDays(T, -200), T])).toEqual({ lastDay: T, seen: 1n });
    expect(fold([addDays(T, -61), addDays(T, -1), T])!.seen < 1n << 62n).toBe(true); // never the sign bit
  });

  it("in_window: before the last day by the last day alone, else by the window's bits", () => {
    const a = fold([addDays(T, -20), addDays(T, -10)]); // lastDay T-10
    expect(inWindow(a, T, 1)).toBe(false);
    expect(inWindow(a, T, 7)).toBe(false);
    expect(inWindow(a, T, 11)).toBe(true);
    expect(inWindow(a, T, 30)).toBe(true);
    expect(inWindow(a, addDays(T, -10), 1)).toBe(true);
    expect(inWindow(a, addDays(T, -11), 1)).toBe(false);
    expect(inWindow(a, addDays(T, -15), 7)).toBe(true); // T-20 is in T-21..T-15
    expect(inWindow(a, addDays(T, -14), 5)).toBe(false); // T-18..T-14: nothing
    expect(inWindow(a, addDays(T, -21), 30)).toBe(false); // before the first ping
    expect(inWindow(undefined, T, 30)).toBe(false);
  });

  it("any order and any repetition of the same pings gives the same record, and in_window is exact within reach", () => {
    const rand = prng(7);
    for (let round = 0; round < 200; round++) {
      const days = dayRange(addDays(T, -90), T).filter(() => rand() < 0.15);
      if (days.length === 0) continue;
      const a = fold(days);
      const again = fold(shuffled([...days, ...days.filter(() => rand() < 0.3)], rand));
      expect(again).toEqual(a);
      for (const n of [1, 7, 30]) {
        for (let back = 0; back <= ACTIVITY_REACH_DAYS; back++) {
          const d = addDays(T, -back);
          const truth = days.some((x) => x <= d && x >= addDays(d, -(n - 1)));
          expect(inWindow(a, d, n), `${d} n=${n} ${days.join(",")}`).toBe(truth);
        }
      }
    }
  });
});

const db = () => database(env);
/** The consumer's store (events would go to the test's R2 archive; these messages hold pings). */
const store = (messages: IngestMessage[]) => storeMessages(db(), env.ARCHIVE, messages, Date.now());

async function activityRows(): Promise<Map<string, Activity>> {
  const rows = await db().all<{ instance_id: string; product: string; last_day: string; seen: string }>(
    sql`SELECT instance_id, product, last_day, CAST(seen AS TEXT) AS seen FROM instance_activity`,
  );
  return new Map(rows.map((r) => [`${r.instance_id}|${r.product}`, { lastDay: r.last_day, seen: BigInt(r.seen) }]));
}

/** Each activity row's state: the uuid of the installation's last ping of its last day. */
async function stateUuids(): Promise<Map<string, string>> {
  const rows = await db().all<{ k: string; s: string }>(
    sql`SELECT instance_id || '|' || product AS k, state_uuid AS s FROM instance_activity`,
  );
  return new Map(rows.map((r) => [r.k, r.s]));
}

const pingDays = new Map<string, string>();
/** A raw ping row (and its instance) straight into D1; returns its uuid. */
async function rawPing(instanceId: string, product: string, day: string): Promise<string> {
  const id = uuid();
  pingDays.set(id, day);
  await env.DB.batch([
    env.DB.prepare(
      "INSERT OR IGNORE INTO instances (id, product, first_seen, last_seen, ping_count) VALUES (?, ?, 0, 0, 1)",
    ).bind(instanceId, product),
    env.DB.prepare("INSERT INTO pings (uuid, instance_id, product, received_at, day) VALUES (?, ?, ?, ?, ?)").bind(
      id,
      instanceId,
      product,
      noon(day),
      day,
    ),
  ]);
  return id;
}

describe("the activity upsert in SQL (store/activity.ts) against the pure functions", () => {
  beforeEach(emptyDatabase);

  it("late, duplicate, out-of-order and far-apart pings (gaps over 61 days) give the pure record", async () => {
    const rand = prng(11);
    const model = new Map<string, string[]>();
    const stored: Array<[key: string, uuid: string]> = [];
    for (let i = 0; i < 12; i++) {
      const id = uuid();
      const product = i % 3 === 0 ? "other" : "acme";
      // Days over 150 days: some installations go quiet for more than 61 days and come back.
      const days = dayRange(addDays(T, -150), T).filter(() => rand() < (i % 4 === 0 ? 0.03 : 0.2));
      if (i === 1) days.push(addDays(T, -140), addDays(T, -70), T); // a gap of 70 days
      const key = `${id}|${product}`;
      model.set(key, days);
      for (const day of days) stored.push([key, await rawPing(id, product, day)]);
    }
    // Out of order, and a third of them merged twice (a redelivered message).
    const order = shuffled(stored, rand);
    for (const [, id] of order) await recordActivity(db(), id);
    for (const [, id] of order.filter(() => rand() < 0.33)) await recordActivity(db(), id);
    // A ping uuid that was never stored (a refused ping) merges nothing.
    await recordActivity(db(), uuid());

    const rows = await activityRows();
    expect(rows.size).toBe([...model.values()].filter((d) => d.length > 0).length);
    for (const [key, days] of model) if (days.length > 0) expect(rows.get(key), key).toEqual(fold(days));
    // The state is the last ping of the last day (all at noon here: the greatest uuid).
    const states = await stateUuids();
    for (const [key, days] of model) {
      if (days.length === 0) continue;
      const last = fold(days)!.lastDay;
      const ofLast = stored.filter(([k, id]) => k === key && pingDays.get(id) === last).map(([, id]) => id);
      expect(states.get(key), key).toBe(ofLast.sort().at(-1));
    }
  });

  it("in_window in SQL answers as the pure function for every row, day and window", async () => {
    const rand = prng(3);
    const model = new Map<string, string[]>();
    for (let i = 0; i < 15; i++) {
      const id = uuid();
      const days = dayRange(addDays(T, -80), T).filter(() => rand() < 0.12);
      model.set(`${id}|acme`, days);
      for (const day of days) await recordActivity(db(), await rawPing(id, "acme", day));
    }
    for (const n of [1, 7, 30]) {
      for (let back = 0; back <= ACTIVITY_REACH_DAYS + 5; back += 3) {
        const d = addDays(T, -back);
        const got = await db().all<{ k: string; w: number }>(
          sql`SELECT a.instance_id || '|' || a.product AS k, ${inWindowSql(activityOf("a"), d, n)} AS w FROM instance_activity a`,
        );
        for (const { k, w } of got) expect(w === 1, `${k} ${d} n=${n}`).toBe(inWindow(fold(model.get(k)!), d, n));
      }
    }
  });

  it("the backfill migration builds the same records from raw pings (62 days up to the newest), and re-running it changes nothing", async () => {
    const rand = prng(5);
    const model = new Map<string, string[]>();
    const lastPing = new Map<string, string>(); // key -> uuid of its last ping (one per day here)
    for (let i = 0; i < 10; i++) {
      const id = uuid();
      const days = dayRange(addDays(T, -100), T).filter(() => rand() < 0.1);
      model.set(`${id}|acme`, days);
      for (const day of days) lastPing.set(`${id}|acme`, await rawPing(id, "acme", day));
    }
    await rawPing(uuid(), "acme", addDays(T, -62)); // last seen before the 62 days: no row
    await backfillActivity();
    const first = await activityRows();
    const states = await stateUuids();
    await backfillActivity();
    expect(await activityRows()).toEqual(first);
    expect(await stateUuids()).toEqual(states);
    const expected = [...model].flatMap(([k, days]) => {
      const recent = days.filter((d) => d >= addDays(T, -61));
      return recent.length > 0 ? [[k, fold(recent)] as const] : [];
    });
    expect(first).toEqual(new Map(expected));
    for (const [k] of expected) expect(states.get(k), k).toBe(lastPing.get(k));
  });
});

/** A ping message as the routes queue it (a minimal valid row). */
interface Values {
  version?: string | null;
  osType?: string | null;
  osArch?: string | null;
  country?: string | null;
  licenseType?: string | null;
}
function pingMessage(instanceId: string, product: string, day: string, minute = 0, v: Values = {}): IngestMessage {
  const at = noon(day) + minute * 60_000;
  return {
    kind: "ping",
    instance: { id: instanceId, product, firstSeen: at, lastSeen: at, pingCount: 0 },
    ping: { uuid: uuid(), instanceId, product, receivedAt: at, day, version: "1.0.0", ...v },
    records: { facts: [], exceptions: [] },
  };
}

type DimRow = [product: string, day: string, dim: string, value: string, installations: number];
const sortRows = <R>(rows: R[]) => rows.map((r) => JSON.stringify(r)).sort();
/** rollup_dims' simple dimensions of day d as stored. */
async function storedDims(d: string): Promise<string[]> {
  const rows = await db().values<DimRow>(
    sql`SELECT product, day, dim, value, installations FROM rollup_dims WHERE day = ${d} AND key = ''
      AND dim IN ('version', 'os_type', 'os_arch', 'os', 'license', 'country')`,
  );
  return sortRows(rows.map((r) => r.map((v) => (typeof v === "number" ? Number(v) : v))));
}
/** The same, as the cron computes them from the day's raw pings. */
async function cronDims(d: string): Promise<string[]> {
  const rows = await db().values<unknown[]>(dimsSql({ d }));
  return sortRows(rows.map(([p, day, dim, , v, n]) => [p, day, dim, v, Number(n)]));
}

type ActiveRow = [product: string, day: string, a1: number, a7: number, a30: number, pings: number];
async function select(q: SQL): Promise<ActiveRow[]> {
  const rows = await db().values<ActiveRow>(q);
  return rows.map((r) => r.map((v) => (typeof v === "number" ? Number(v) : v)) as ActiveRow).sort();
}
async function storedActive(day: string): Promise<ActiveRow[]> {
  return select(
    sql`SELECT product, day, active1, active7, active30, pings FROM rollup_active WHERE day = ${day} AND active30 > 0`,
  );
}

/** Random dimension values (nulls included), upgrades and downgrades alike. */
function values(rand: () => number): Values {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const [osType, osArch] = pick([
    ["Linux", "x64"],
    ["Darwin", "arm64"],
    [null, null],
    ["Linux", null],
  ]);
  return {
    version: pick(["1.0.0", "1.1.0", "2.0.0", null]),
    osType,
    osArch,
    country: pick(["DE", "US", null]),
    licenseType: pick([null, "ee", "team"]),
  };
}

/**
 * ~40 installations of two products over 45 days, each with its own rhythm (daily, weekly,
 * bursts, gone quiet, new), some pinging two or three times a day with other values. Returns
 * the messages in time order.
 */
function dataSet(seed: number): { messages: IngestMessage[]; days: string[] } {
  const rand = prng(seed);
  const days = dayRange(addDays(T, -44), T);
  const messages: IngestMessage[] = [];
  const plans = Array.from({ length: 40 }, (_, i) => ({
    id: uuid(),
    product: i % 3 === 0 ? "beta" : "acme",
    p: [0.9, 0.15, 0.5, 0.05][i % 4]!,
    from: Math.floor(rand() * 30),
    to: 44 - (i % 5 === 0 ? Math.floor(rand() * 30) : 0),
  }));
  for (const [k, day] of days.entries())
    for (const x of plans) {
      if (k < x.from || k > x.to || rand() > x.p) continue;
      messages.push(pingMessage(x.id, x.product, day, k, values(rand)));
      if (rand() < 0.2) messages.push(pingMessage(x.id, x.product, day, k + 60, values(rand)));
      if (rand() < 0.1) messages.push(pingMessage(x.id, x.product, day, k + 61, values(rand)));
    }
  return { messages, days };
}

describe("rollup_active of the ping's day, kept by the ping's own transaction", () => {
  beforeEach(emptyDatabase);

  it("through the queue consumer, day by day (in any order within a day): every day's rollup_active and simple dims equal the cron's SQL, with no cron run; redelivery adds nothing", async () => {
    const { messages, days } = dataSet(21);
    const rand = prng(22);
    const byDay = days.flatMap((d) =>
      shuffled(
        messages.filter((m) => m.kind === "ping" && m.ping.day === d),
        rand,
      ),
    );
    for (let i = 0; i < byDay.length; i += 100) {
      const batch = byDay.slice(i, i + 100);
      await store(batch);
      if (i % 200 === 0) await store(batch); // redelivered whole
    }
    // A product's row appears with its first ping of the day (a day without one gets its row from the cron).
    for (const d of days) {
      const raw = (await select(rawActiveSql(windowOf(d, T)))).filter((r) => r[5] > 0);
      expect(await storedActive(d), d).toEqual(raw);
      expect(await storedDims(d), d).toEqual(await cronDims(d));
    }
  });

  it("one batch of two days' pings, later day first, several per installation: every figure equals the cron's; the pings cost a fixed number of statements, not a number per ping", async () => {
    const rand = prng(31);
    const d1 = addDays(T, -1);
    const ids = Array.from({ length: 60 }, () => uuid());
    // Each installation pings on T (twice for some) and on T-1 for half of them; T comes first in the batch.
    const later = ids.flatMap((id, i) => [
      pingMessage(id, i % 4 === 0 ? "beta" : "acme", T, 10 + i, values(rand)),
      ...(i % 3 === 0 ? [pingMessage(id, i % 4 === 0 ? "beta" : "acme", T, 300 + i, values(rand))] : []),
    ]);
    const earlier = ids
      .filter((_, i) => i % 2 === 0)
      .map((id) => pingMessage(id, ids.indexOf(id) % 4 === 0 ? "beta" : "acme", d1, 5, values(rand)));
    const batch = [...later, ...shuffled(earlier, rand)];
    const { statements } = await store(batch);
    // 3 rounds (T-1; T; T's second pings) of ~20 statements, where one-by-one writes took 15 per ping (1,350).
    expect(statements).toBeLessThan(100);
    for (const d of [d1, T]) {
      expect(await storedActive(d), d).toEqual((await select(rawActiveSql(windowOf(d, T)))).filter((r) => r[5] > 0));
      expect(await storedDims(d), d).toEqual(await cronDims(d));
    }
    expect((await store(batch)).statements).toBe(statements); // redelivered: the same statements, nothing added
    expect(await storedActive(T)).toEqual((await select(rawActiveSql(windowOf(T, T)))).filter((r) => r[5] > 0));
  });

  it("a ping of the day older than the installation's last one (delivered out of order) leaves the dims alone", async () => {
    const a = uuid();
    const late = pingMessage(a, "acme", T, 0, { version: "1.0.0" });
    await store([pingMessage(a, "acme", T, 30, { version: "2.0.0" })]);
    await store([late]);
    await store([late]); // and again
    expect((await storedDims(T)).filter((r) => r.includes('"version"'))).toEqual([
      JSON.stringify(["acme", T, "version", "2.0.0", 1]),
    ]);
    expect(await storedDims(T)).toEqual(await cronDims(T));
  });

  it("a late ping counts into its own (past) day, from the activity as it was before it", async () => {
    const [a, b] = [uuid(), uuid()];
    await store([pingMessage(a, "acme", addDays(T, -5)), pingMessage(a, "acme", T), pingMessage(b, "acme", T)]);
    // a's ping of T-3 arrives after its ping of T (the queue retried it): T-3's row is made
    // then, from the activity table, and counts a once in each window.
    await store([pingMessage(a, "acme", addDays(T, -3))]);
    const d3 = addDays(T, -3);
    expect(await storedActive(d3)).toEqual(await select(rawActiveSql(windowOf(d3, T))));
    expect(await storedActive(d3)).toEqual([["acme", d3, 1, 1, 1, 1]]);
    expect(await storedDims(addDays(T, -5))).toEqual(await cronDims(addDays(T, -5)));
    expect(await storedDims(T)).toEqual(await cronDims(T));
  });

  it("a refused ping (an installation key it does not present) writes no activity and no rollup", async () => {
    const id = uuid();
    const keyed = pingMessage(id, "acme", T);
    if (keyed.kind !== "ping") throw new Error("not a ping");
    keyed.instance.keyHash = "a".repeat(64);
    await store([keyed]);
    const before = await activityRows();
    // Without the key: today's (existing row) and yesterday's (no row yet) are both refused.
    await store([pingMessage(id, "acme", T, 5), pingMessage(id, "acme", addDays(T, -1))]);
    expect(await storedActive(T)).toEqual([["acme", T, 1, 1, 1, 1]]);
    expect(await storedActive(addDays(T, -1))).toEqual([]);
    expect(await activityRows()).toEqual(before);
  });

  it("the day's row, once made, costs a constant probe per ping (the baseline is not evaluated: D1 rows_read)", async () => {
    for (let i = 0; i < 300; i++) await recordActivity(db(), await rawPing(uuid(), "acme", addDays(T, -(i % 20))));
    const ensure = () => ensureActiveDay(db(), "acme", T, sql`1`);
    const first = (await ensure().run()).meta;
    expect(first.changes).toBe(1);
    expect(first.rows_read).toBeGreaterThan(300); // the baseline: range reads of instance_activity
    const again = (await ensure().run()).meta;
    expect(again.changes).toBe(0);
    expect(again.rows_read).toBeLessThanOrEqual(2); // the primary-key probe of rollup_active only
    const dims = () => ensureDayDims(db(), "acme", T, sql`1`);
    const dimsProbe = (await dims().run()).meta.rows_read; // the row exists: no baseline of the day's pings
    expect(dimsProbe).toBeLessThanOrEqual(4); // the rollup_active probe, no ping
    for (let i = 0; i < 300; i++) await recordActivity(db(), await rawPing(uuid(), "acme", T));
    expect((await ensure().run()).meta.rows_read).toBe(again.rows_read); // not growing with the table
    expect((await dims().run()).meta.rows_read).toBe(dimsProbe); // not growing with the day's pings
  });
});

describe("a ping shows in GET /v1/admin/stats/active for today without a cron run", () => {
  beforeEach(emptyDatabase);
  const today = () => utcDay(Date.now());
  const active = (product: string) =>
    adminJson<ActiveStats>(`/v1/admin/stats/active?product=${product}&from=${today()}&to=${today()}`);

  it("direct (INGEST_MODE=direct)", async () => {
    const [a, b] = [uuid(), uuid()];
    const send = (instanceId: string, key?: string) =>
      callWith({ INGEST_MODE: "direct" }, "/v1/ping", {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
        body: JSON.stringify({ ...flowfuse, instanceId, product: "act-direct", version: "3.1.0" }),
      });
    expect((await send(a, "k1")).status).toBe(200);
    expect((await send(a, "k1")).status).toBe(200); // a client retry: stored once
    expect((await send(a)).status).toBe(200); // a second ping of the day
    expect((await send(b)).status).toBe(200);
    const s = await active("act-direct");
    expect(s).toMatchObject({ active1: [2], active7: [2], active30: [2], pings: [3] });
    // The version chart too: both installations on their version, today, no cron.
    const v = await adminJson<VersionStats>(
      `/v1/admin/stats/versions?product=act-direct&from=${today()}&to=${today()}`,
    );
    expect(v.total).toEqual([2]);
    expect(v.top.map((t) => [t.version, t.installations])).toEqual([["3.1.0", [2]]]);
  });

  it("through the queue consumer; a redelivered batch does not count twice", async () => {
    const { queue, held } = holdingQueue();
    const send = (instanceId: string) =>
      callWith({ INGEST_MODE: "queue", INGEST_QUEUE: queue }, "/v1/ping", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...flowfuse, instanceId, product: "act-queue" }),
      });
    const ids = [uuid(), uuid(), uuid()];
    for (const id of ids) expect((await send(id)).status).toBe(200);
    expect((await send(ids[0]!)).status).toBe(200);
    expect((await active("act-queue")).active1).toEqual([0]); // nothing stored before the consumer runs
    expect(await consume("candor-ingest", held)).toBe(true);
    const once = await active("act-queue");
    expect(once).toMatchObject({ active1: [3], active7: [3], active30: [3], pings: [4] });
    expect(
      await consume(
        "candor-ingest",
        held.map((m) => ({ ...m, attempts: 1 })),
      ),
    ).toBe(true); // redelivery
    expect(await active("act-queue")).toEqual(once);
  });
});

describe("the cron's rebuild from instance_activity", () => {
  beforeEach(emptyDatabase);

  it("equals the raw-window SQL on a random data set, out of order and redelivered, for every day of 45", async () => {
    const { messages, days } = dataSet(99);
    const rand = prng(100);
    const order = shuffled(messages, rand);
    for (let i = 0; i < order.length; i += 100) await store(order.slice(i, i + 100));
    await store(order.filter(() => rand() < 0.2)); // some delivered twice
    // Facts: a value per installation (the latest counts), for the facts' "active in 30 days".
    const ids = [...new Set(messages.map((m) => (m.kind === "ping" ? m.ping.instanceId : "")))];
    for (const [i, id] of ids.entries())
      await env.DB.prepare(
        "INSERT INTO facts (id, instance_id, kind, key, value, collected_at, received_at, day) VALUES (?, ?, 'feature', 'theme', ?, 1, ?, ?)",
      )
        .bind(uuid(), id, `v${i % 3}`, noon(days[i % 20]!), days[i % 20]!)
        .run();

    for (const d of days.filter((x) => x >= addDays(T, -ACTIVITY_REACH_DAYS))) {
      const w = windowOf(d, T);
      expect(w.fromActivity).toBe(true);
      expect(await select(activeFromActivitySql(w)), d).toEqual(await select(rawActiveSql(w)));
      const facts = async (fromActivity: boolean) =>
        (await db().values<unknown[]>(factsSql({ ...w, fromActivity }))).map((r) => r.join("|")).sort();
      expect(await facts(true), d).toEqual(await facts(false));
    }
    // The real cron (first run: the backlog from the oldest raw day, 31 days a run), twice.
    await runLifecycle(db(), 90, noon(T));
    await runLifecycle(db(), 90, noon(T));
    for (const d of days) expect(await storedActive(d), d).toEqual(await select(rawActiveSql(windowOf(d, T))));
  });

  it("with RETENTION_DAYS = 7, today's 7/30-day counts still include installations whose pings are deleted", async () => {
    const [a, b, c] = [uuid(), uuid(), uuid()];
    await store([
      pingMessage(a, "acme", addDays(T, -20)),
      pingMessage(b, "acme", addDays(T, -5)),
      pingMessage(c, "acme", T),
    ]);
    for (let i = 0; i < 2; i++) await runLifecycle(db(), 7, noon(T));
    expect(await db().all(sql`SELECT day FROM pings ORDER BY day`)).toEqual([{ day: addDays(T, -5) }, { day: T }]);
    expect(await storedActive(T)).toEqual([["acme", T, 1, 2, 3, 1]]);
  });

  it("reads instance_activity through (product, last_day) and no ping outside its day (EXPLAIN QUERY PLAN)", async () => {
    const plan = async (q: SQL) =>
      (await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${q}`)).map((r) => r.detail).join("\n");
    const w = windowOf(T, T);
    const active = await plan(activeFromActivitySql(w));
    expect(active).toMatch(
      /SEARCH a USING COVERING INDEX instance_activity_product_last_day \(product=\? AND last_day>\?\)/,
    );
    expect(active).toMatch(/SEARCH pings USING (COVERING )?INDEX pings_day \(day=\?\)/);
    expect(active).not.toMatch(/SCAN (a|pings|instance_activity)\b/);
    // The raw fallback reads the 30-day window: the cost this removes.
    expect(await plan(rawActiveSql(w))).toMatch(/pings_day \(day>\? AND day<\?\)/);
    const facts = await plan(factsSql(w));
    expect(facts).toMatch(/SEARCH a EXISTS USING INDEX sqlite_autoindex_instance_activity_1 \(instance_id=\?\)/);
    expect(facts).not.toMatch(/pings/);
  });
});

describe("erasure removes the installation's activity", () => {
  beforeEach(emptyDatabase);

  it("DELETE /v1/admin/instances/:id", async () => {
    const [a, b] = [uuid(), uuid()];
    await store([pingMessage(a, "acme", T), pingMessage(a, "beta", T), pingMessage(b, "acme", T)]);
    expect((await activityRows()).size).toBe(3);
    expect((await admin(`/v1/admin/instances/${a.toUpperCase()}`, { method: "DELETE" })).status).toBe(204);
    expect([...(await activityRows()).keys()]).toEqual([`${b}|acme`]);
  });
});
