import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import flowfuse from "../fixtures/ping-flowfuse-ce.json";
import type { ActiveStats, VersionStats } from "../../schema";
import { addDays, dayRange, utcDay } from "../../worker/lib/time";
import { storeMessages } from "../../worker/pipeline/queue/store";
import type { IngestMessage } from "../../worker/pipeline/queue/message";
import { database } from "../../worker/store/db";
import { cubeSql } from "../../worker/store/rollupSql";
import { adminJson, callWith, emptyDatabase, prng, uuid } from "./helpers";

/**
 * The breakdown cube of a ping's day is kept by the ping's own transaction (store/dayCube.ts):
 * filtered figures of today are as fresh as the unfiltered ones, and every day's stored cube is
 * what the cron would build from that day's raw pings.
 */
const db = () => database(env);
/** The consumer's store (these messages hold pings only; events would go to the test's R2 archive). */
const store = (messages: IngestMessage[]) => storeMessages(db(), env.ARCHIVE, messages, Date.now());
const T = "2026-10-15";
const noon = (day: string) => Date.parse(`${day}T12:00:00Z`);

function message(instanceId: string, product: string, day: string, minute: number, rand: () => number): IngestMessage {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const at = noon(day) + minute * 60_000;
  const [osType, osArch] = pick([
    ["Linux", "x64"],
    ["Darwin", "arm64"],
    [null, null],
  ]);
  return {
    kind: "ping",
    instance: { id: instanceId, product, firstSeen: at, lastSeen: at, pingCount: 0 },
    ping: {
      uuid: uuid(),
      instanceId,
      product,
      receivedAt: at,
      day,
      version: pick(["1.0.0", "1.1.0", null]),
      licenseType: pick(["ee", null]),
      country: pick(["DE", "US", null]),
      osType,
      osArch,
    },
    records: { facts: [], exceptions: [] },
  };
}

const rows = (list: unknown[][]) =>
  list.map((r) => JSON.stringify(r.map((v) => (typeof v === "number" ? Number(v) : v)))).sort();
async function storedCube(d: string): Promise<string[]> {
  return rows(
    await db().values(
      sql`SELECT product, day, version, license_type, country, os_type, os_arch, installations FROM rollup_cube WHERE day = ${d}`,
    ),
  );
}
async function cronCube(d: string): Promise<string[]> {
  return rows(await db().values(cubeSql({ d })));
}

beforeEach(emptyDatabase);

describe("rollup_cube of the ping's day, kept by the ping's own transaction", () => {
  it("through the queue consumer, in any order within a day, with second pings of other values: each day's cube equals the cron's; redelivery adds nothing", async () => {
    const rand = prng(7);
    const days = dayRange(addDays(T, -6), T);
    const ids = Array.from({ length: 25 }, () => uuid());
    const messages: IngestMessage[] = [];
    for (const [k, day] of days.entries()) {
      for (const [i, id] of ids.entries()) {
        if (rand() < 0.3) continue;
        const product = i % 4 === 0 ? "beta" : "acme";
        messages.push(message(id, product, day, Math.floor(rand() * 300), rand));
        if (rand() < 0.3) messages.push(message(id, product, day, k + Math.floor(rand() * 300), rand));
      }
    }
    for (const day of days) {
      const ofDay = messages.filter((m) => m.kind === "ping" && m.ping.day === day).sort(() => rand() - 0.5);
      for (let i = 0; i < ofDay.length; i += 10) {
        const batch = ofDay.slice(i, i + 10);
        await store(batch);
        if (i === 0) await store(batch); // redelivered whole
      }
    }
    for (const d of days) {
      const stored = await storedCube(d);
      expect(stored.length, d).toBeGreaterThan(0);
      expect(stored, d).toEqual(await cronCube(d));
    }
  });

  it("a ping shows in today's filtered figures without a cron run (direct ingestion)", async () => {
    const today = utcDay(Date.now());
    const send = (instanceId: string, version: string) =>
      callWith({ INGEST_MODE: "direct" }, "/v1/ping", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...flowfuse, instanceId, product: "cube-fresh", version }),
      });
    const [a, b] = [uuid(), uuid()];
    expect((await send(a, "3.1.0")).status).toBe(200);
    expect((await send(b, "3.1.0")).status).toBe(200);
    expect((await send(b, "3.2.0")).status).toBe(200); // b upgraded later that day: counted once, on 3.2.0
    const q = `product=cube-fresh&from=${today}&to=${today}`;
    const v = await adminJson<VersionStats>(`/v1/admin/stats/versions?${q}&version=3.2.0`);
    expect(v.total).toEqual([1]);
    const a1 = await adminJson<ActiveStats>(`/v1/admin/stats/active?${q}&version=3.1.0`);
    expect(a1.active1).toEqual([1]);
  });
});
