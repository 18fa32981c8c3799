import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { PlatformStats } from "../../schema";
import { admin, count, emptyDatabase } from "./helpers";
import { builtThrough, bulkPings, cron } from "./statsSeed";

const NOW = Date.UTC(2026, 2, 10, 12, 0); // today 2026-03-10: the run rebuilds 03-08, 03-09, 03-10
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Rollups built through 2026-03-10, then raw rows: huge counts on 03-09, a corrupted row on 03-08,
 * good rows on 03-10, and rows past retention. Each test starts from exactly this.
 */
async function seedBadData(): Promise<void> {
  await emptyDatabase();
  await builtThrough("2026-03-10");
  // 1,100 x (2^53 - 1) > 2^63: SQL sum() raises "integer overflow".
  await bulkPings({ n: 1100, day: "2026-03-09", tag: "big", counts: JSON.stringify({ flows: MAX, users: 3 }) });
  // A corrupted row: its counts are not JSON, so that day's rebuild fails inside D1.
  await bulkPings({ n: 3, day: "2026-03-08", tag: "bad", counts: "{not json" });
  await bulkPings({ n: 5, day: "2026-03-10", tag: "ok", counts: JSON.stringify({ users: 1 }) });
  await bulkPings({ n: 7, day: "2025-11-01", tag: "old" }); // older than RETENTION_DAYS (90)
}

describe("rollups survive bad data: each day is rebuilt on its own, retention always runs", () => {
  beforeEach(seedBadData);

  it("counts near Number.MAX_SAFE_INTEGER are summed (total(), no integer overflow); a broken day does not stop the others", async () => {
    await expect(cron(NOW)).resolves.toBeUndefined();

    const res = await admin("/v1/admin/stats/platform?product=acme&from=2026-03-08&to=2026-03-10");
    expect(res.status).toBe(200);
    const p = (await res.json()) as PlatformStats;
    const flows = p.counts.find((c) => c.key === "flows")!;
    expect(flows.reporting).toEqual([0, 1100, 0]);
    expect(flows.sum[1]).toBe(1100 * MAX); // a double: exact to 2^-52 relative, never an error
    expect(flows.median[1]).toBe(MAX);
    expect(p.counts.find((c) => c.key === "users")!.sum).toEqual([0, 3300, 5]);

    // Each table of a day is its own transaction: on the broken day the table its bad row breaks
    // (platform counts) has no rollup, while the tables rebuilt before it (active) have theirs;
    // the days after it were built; retention went on; progress is held back to the broken day
    // so that the next run retries it.
    expect(await count("rollup_metrics WHERE day = '2026-03-08'")).toBe(0);
    expect(await count("rollup_active WHERE day = '2026-03-08'")).toBe(1);
    expect(await count("rollup_active WHERE day IN ('2026-03-09', '2026-03-10')")).toBe(2);
    const state = await env.DB.prepare("SELECT built_through, built_at FROM rollup_state").first<{
      built_through: string;
      built_at: number;
    }>();
    expect(state).toEqual({ built_through: "2026-03-08", built_at: NOW });
    expect(await count("pings WHERE day = '2025-11-01'")).toBe(0);
  });

  it("the next run still rebuilds the good days (the bad one keeps failing alone)", async () => {
    await cron(NOW);
    await bulkPings({ n: 2, day: "2026-03-10", tag: "late" });
    await cron(NOW + 3_600_000);
    const a = await env.DB.prepare("SELECT active1 FROM rollup_active WHERE day = '2026-03-10'").first<{
      active1: number;
    }>();
    expect(a!.active1).toBe(7);
    expect(await count("rollup_metrics WHERE day = '2026-03-08'")).toBe(0);
    const state = await env.DB.prepare("SELECT built_through FROM rollup_state").first<{ built_through: string }>();
    expect(state!.built_through).toBe("2026-03-08");
  });

  it("a failed day is retried: once its data is repaired it is rolled up and progress moves on", async () => {
    await cron(NOW);
    expect(await count("rollup_metrics WHERE day = '2026-03-08'")).toBe(0);
    await env.DB.prepare("UPDATE pings SET counts = '{\"users\":2}' WHERE day = '2026-03-08'").run();
    await cron(NOW + 2 * 3_600_000);
    expect(await count("rollup_metrics WHERE day = '2026-03-08'")).toBe(1);
    const state = await env.DB.prepare("SELECT built_through FROM rollup_state").first<{ built_through: string }>();
    expect(state!.built_through).toBe("2026-03-10");
  });
});
