import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { ActiveStats, VersionStats } from "../../schema";
import { planDays } from "../../worker/pipeline/rollup/steps";
import { admin, emptyDatabase } from "./helpers";
import { cron, insertPings } from "./statsSeed";

const id = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
async function active(from: string, to: string): Promise<number[]> {
  const res = await admin(`/v1/admin/stats/active?product=acme&from=${from}&to=${to}`);
  return ((await res.json()) as ActiveStats).active1;
}

describe("rollups through scheduled(): late pings are counted when their day is rebuilt", () => {
  beforeEach(emptyDatabase);

  it("rebuilds today, yesterday and the day before on every run", async () => {
    await insertPings([
      { id: id(1), day: "2026-06-10", hour: 9, version: "1.0.0" },
      { id: id(2), day: "2026-06-10", hour: 9, version: "1.0.0" },
    ]);
    await cron(Date.UTC(2026, 5, 10, 10, 17)); // 06-10 10:17: the day in progress is rolled up
    expect(await active("2026-06-10", "2026-06-10")).toEqual([2]);

    // Late for that rollup: arrives at 15:00, and id(1) upgrades (its last ping of the day counts).
    await insertPings([
      { id: id(3), day: "2026-06-10", hour: 15, version: "1.1.0" },
      { id: id(1), day: "2026-06-10", hour: 16, version: "1.1.0" },
    ]);
    expect(await active("2026-06-10", "2026-06-10")).toEqual([2]); // not yet: rollups answer
    await cron(Date.UTC(2026, 5, 11, 0, 17)); // next day: 06-10 is "yesterday" and is rebuilt
    expect(await active("2026-06-10", "2026-06-11")).toEqual([3, 0]);
    const v = (await (
      await admin("/v1/admin/stats/versions?product=acme&from=2026-06-10&to=2026-06-10")
    ).json()) as VersionStats;
    expect(v.versions).toEqual([
      { version: "1.1.0", installations: [2] },
      { version: "1.0.0", installations: [1] },
    ]);

    // A delayed row for the day before yesterday is still inside the rebuilt window...
    await insertPings([{ id: id(4), day: "2026-06-09", version: "1.0.0" }]);
    // ...and one six days back is not: recent = 3 days (documented in pipeline/rollup/steps.ts).
    await insertPings([{ id: id(5), day: "2026-06-05", version: "1.0.0" }]);
    await cron(Date.UTC(2026, 5, 11, 1, 17));
    expect(await active("2026-06-05", "2026-06-11")).toEqual([0, 0, 0, 0, 1, 3, 0]);
    const w = (await (
      await admin("/v1/admin/stats/active?product=acme&from=2026-06-11&to=2026-06-11")
    ).json()) as ActiveStats;
    expect(w.active7).toEqual([5]); // windows read raw rows, so the 06-05 row counts from the 06-11 rebuild on
  });

  it("records progress: built through the run's day, at the run's time", async () => {
    await insertPings([{ id: id(1), day: "2026-06-09", version: "1.0.0" }]);
    const at = Date.UTC(2026, 5, 11, 1, 17);
    await cron(at);
    const row = await env.DB.prepare("SELECT built_through, built_at FROM rollup_state").first<{
      built_through: string;
      built_at: number;
    }>();
    expect(row).toEqual({ built_through: "2026-06-11", built_at: at });
  });
});

describe("planDays (pure)", () => {
  it("first run: backlog from the oldest raw day, 31 days per run, then the recent 3", () => {
    const p = planDays("2026-03-31", undefined, "2026-01-01");
    expect(p.days[0]).toBe("2026-01-01");
    expect(p.days).toContain("2026-01-31");
    expect(p.days).not.toContain("2026-02-01");
    expect(p.days.slice(-3)).toEqual(["2026-03-29", "2026-03-30", "2026-03-31"]);
    expect(p.builtThrough).toBe("2026-01-31");
  });

  it("steady state: only the recent days; after an outage, the missed days too", () => {
    expect(planDays("2026-03-31", "2026-03-31", undefined)).toEqual({
      days: ["2026-03-29", "2026-03-30", "2026-03-31"],
      builtThrough: "2026-03-31",
    });
    expect(planDays("2026-03-31", "2026-03-25", undefined).days).toEqual([
      "2026-03-25",
      "2026-03-26",
      "2026-03-27",
      "2026-03-28",
      "2026-03-29",
      "2026-03-30",
      "2026-03-31",
    ]);
  });
});
