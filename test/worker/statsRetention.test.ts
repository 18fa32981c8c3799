import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runLifecycle } from "../../worker/pipeline/rollup/run";
import { runScheduled } from "../../worker/scheduled";
import { database } from "../../worker/store/db";
import { deleteRawChunk } from "../../worker/store/rollups";
import { count } from "./helpers";
import { cron, insertEvent, insertPings } from "./statsSeed";

const NOW = Date.UTC(2026, 11, 31, 0, 17); // 2026-12-31; RETENTION_DAYS = 90 -> keep from 2026-10-02
const id = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("retention through scheduled(): raw rows older than RETENTION_DAYS go, rollups stay", () => {
  // Many full day rebuilds (each one db.batch of every rollup statement): no timing is asserted,
  // so a loaded machine gets more than vitest's default 5 s.
  it("backfills rollups for old days first, then deletes their raw rows in chunks", { timeout: 60_000 }, async () => {
    await insertPings(
      Array.from({ length: 1234 }, (_, i) => ({ id: id(i), day: "2026-06-14", version: "0.1.0", product: "old" })),
    );
    for (let i = 0; i < 30; i++)
      await insertEvent({ day: "2026-06-14", event: "$pageview", session: `s${i}`, path: "/", t: i, product: "old" });
    await insertPings([
      { id: id(5000), day: "2026-10-01", version: "1.0.0", product: "old" }, // 91 days old: deleted
      { id: id(5001), day: "2026-10-02", version: "1.0.0", product: "old" }, // 90 days old: kept
      ...Array.from({ length: 10 }, (_, i) => ({
        id: id(6000 + i),
        day: "2026-12-26",
        version: "1.0.0",
        product: "old",
      })),
    ]);
    await insertEvent({ day: "2026-10-01", event: "$pageview", t: 0, product: "old" });
    await insertEvent({ day: "2026-12-30", event: "$pageview", t: 0, product: "old" });

    await cron(NOW);
    // Run 1 built 2026-06-14.. (31 days) but the raw rows are kept until the backlog is built.
    expect(await count("pings WHERE day = '2026-06-14'")).toBe(1234);
    const first = await env.DB.prepare(
      "SELECT active1 FROM rollup_active WHERE product = 'old' AND day = '2026-06-14'",
    ).first<{ active1: number }>();
    expect(first!.active1).toBe(1234);

    let runs = 1;
    for (; runs < 20; runs++) {
      const s = await env.DB.prepare("SELECT built_through FROM rollup_state").first<{ built_through: string }>();
      if (s!.built_through === "2026-12-31") break;
      await cron(NOW);
    }
    expect(runs).toBe(7); // 06-14..12-28 is 198 days of backlog at 31 (then 30 new) days per run

    expect(await count("pings WHERE day < '2026-10-02'")).toBe(0);
    expect(await count("pings WHERE day >= '2026-10-02'")).toBe(11);
    expect(await count("events WHERE day < '2026-10-02'")).toBe(0);
    expect(await count("events")).toBe(1);
    // Rollups of deleted days are kept.
    const kept = await env.DB.prepare(
      "SELECT active1 FROM rollup_active WHERE product = 'old' AND day = '2026-06-14'",
    ).first<{ active1: number }>();
    expect(kept!.active1).toBe(1234);
    const fe = await env.DB.prepare("SELECT pageviews FROM rollup_frontend WHERE day = '2026-06-14'").first<{
      pageviews: number;
    }>();
    expect(fe!.pageviews).toBe(30);
  });

  it("a delete chunk removes at most `chunk` rows per table", async () => {
    await insertPings(Array.from({ length: 250 }, (_, i) => ({ id: id(9000 + i), day: "2025-01-01", version: "1" })));
    const db = database(env);
    expect(await deleteRawChunk(db, "2025-01-02", 100)).toEqual({ pings: 100 });
    expect(await count("pings WHERE day = '2025-01-01'")).toBe(150);
  });

  it("an invalid RETENTION_DAYS deletes nothing (the cron still runs)", async () => {
    const before = await count("pings");
    await runScheduled({ ...env, RETENTION_DAYS: "6" as Env["RETENTION_DAYS"] }, NOW);
    expect(await count("pings")).toBe(before);
    expect((await runLifecycle(database(env), undefined, NOW)).keepFrom).toBeNull();
  });
});
