import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import ce from "../fixtures/ping-flowfuse-ce.json";
import ee from "../fixtures/ping-flowfuse-ee.json";
import flat from "../fixtures/ping-flowfuse-flat.json";
import { pingLimits, pingResponse, type PlatformStats } from "../../schema";
import { admin, dumpDatabase, errorCode, post, uuid } from "./helpers";
import { cron } from "./statsSeed";

async function accepted(body: unknown, path = "/ping") {
  const res = await post(path, body);
  expect(res.status).toBe(200);
  return pingResponse.parse(await res.json());
}
async function storedCounts(sub: string): Promise<Record<string, number>> {
  const row = await env.DB.prepare("SELECT counts FROM pings WHERE uuid = ?").bind(sub).first<{ counts: string }>();
  return JSON.parse(row!.counts) as Record<string, number>;
}

describe("FlowFuse's current ping (nested platform.counts)", () => {
  it("CE (license.id empty) and EE are stored with flattened count keys; the licence id never", async () => {
    const a = await accepted(ce);
    const b = await accepted(ee);
    expect([a.dropped, b.dropped]).toEqual([[], []]);
    expect(await storedCounts(a.uuid)).toMatchObject({
      users: 12,
      "projectsByState.suspended": 2,
      "devicesByLastSeen.never": 1,
      "devicesByLastSeen.day": 3,
      remoteBrokers: 0,
    });
    expect(Object.keys(await storedCounts(b.uuid))).toHaveLength(15);
    const licences = await env.DB.prepare(
      "SELECT id, license_type FROM instances WHERE id IN (?, ?) ORDER BY license_type",
    )
      .bind(ce.instanceId, ee.instanceId)
      .all();
    expect(licences.results).toEqual([
      { id: ce.instanceId, license_type: "CE" },
      { id: ee.instanceId, license_type: "EE" },
    ]);
    expect(await dumpDatabase()).not.toContain(ee.platform.license.id);
  });

  it("the old flat shape keeps working", async () => {
    const sub = await accepted({ ...flat, instanceId: uuid() });
    expect(await storedCounts(sub.uuid)).toEqual(flat.platform.counts);
  });

  it("count keys vary with the data: any state or last-seen bucket is a key of its own", async () => {
    const counts = {
      ...ce.platform.counts,
      projectsByState: { running: 5, suspended: 0, "x-y_z": 1 },
      devicesByLastSeen: {},
    };
    const sub = await accepted({ ...ce, instanceId: uuid(), platform: { ...ce.platform, counts } });
    const stored = await storedCounts(sub.uuid);
    expect(stored).toMatchObject({
      "projectsByState.running": 5,
      "projectsByState.suspended": 0,
      "projectsByState.x-y_z": 1,
    });
    expect(Object.keys(stored).filter((k) => k.startsWith("devicesByLastSeen"))).toEqual([]);
  });

  it("rollups, /v1/admin/stats/platform and hence the dashboard show the nested counts as dotted keys", async () => {
    const day = new Date().toISOString().slice(0, 10);
    await cron(Date.now());
    const res = await admin(`/v1/admin/stats/platform?product=flowforge&from=${day}&to=${day}`);
    expect(res.status).toBe(200);
    const stats = (await res.json()) as PlatformStats;
    const byKey = Object.fromEntries(stats.counts.map((c) => [c.key, c]));
    // CE (2), EE (7), and the varying-keys ping (0): installations' last pings of the day
    expect(byKey["projectsByState.suspended"]).toMatchObject({ reporting: [3], sum: [9] });
    expect(byKey["projectsByState.running"]).toMatchObject({ reporting: [1], sum: [5] });
    expect(byKey["devicesByLastSeen.day"]).toMatchObject({ reporting: [2], sum: [1207] });
    expect(byKey.users).toMatchObject({ reporting: [4] });
  });

  it("bounds: past 100 keys the rest are dropped with a reason; a key given twice keeps the first", async () => {
    const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i]));
    const body = { instanceId: uuid(), platform: { counts: { "a.b": 1, a: { b: 2 }, nested: { deep: many } } } };
    const sub = await accepted(body, "/v1/ping");
    const stored = await storedCounts(sub.uuid);
    expect(Object.keys(stored)).toHaveLength(pingLimits.countKeys);
    expect(stored["a.b"]).toBe(1);
    expect(stored["nested.deep.k97"]).toBe(97);
    expect(sub.dropped![0]).toEqual({ path: "$.platform.counts.a.b", reason: "duplicate_key" });
    expect(sub.dropped!.slice(1)).toEqual(
      Array.from({ length: 21 }, (_, i) => ({
        path: `$.platform.counts.nested.deep.k${99 + i}`,
        reason: "over_limit",
      })),
    );
  });

  it("refuses what no real client sends: nesting past 3 levels, more than 500 entries, a count that is no integer", async () => {
    const hostile = [
      [{ a: { b: { c: { d: 1 } } } }, "$.platform.counts.a.b.c"],
      [Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`k${i}`, 1])), "$.platform.counts"],
      [{ projectsByState: { suspended: -1 } }, "$.platform.counts.projectsByState.suspended"],
      [{ projectsByState: { suspended: "2" } }, "$.platform.counts.projectsByState.suspended"],
    ] as const;
    for (const [counts, path] of hostile) {
      const res = await post("/v1/ping", { instanceId: uuid(), platform: { counts } });
      expect(res.status, path).toBe(400);
      const body = (await res.clone().json()) as { error: { path: string } };
      expect(await errorCode(res)).toBe("invalid_field");
      expect(body.error.path).toBe(path);
    }
  });
});
