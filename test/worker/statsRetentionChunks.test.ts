import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { EVENTS_RETENTION_CHUNK, RETENTION_CHUNK, RETENTION_MAX_CHUNKS } from "../../worker/pipeline/rollup/steps";
import { database } from "../../worker/store/db";
import { oldRowids } from "../../worker/store/rollups";
import { count } from "./helpers";
import { builtThrough, bulkEvents, bulkPings, cron } from "./statsSeed";

const NOW = Date.UTC(2026, 11, 31, 0, 17); // RETENTION_DAYS = 90 -> raw rows before 2026-10-02 go
const CAP = RETENTION_CHUNK * RETENTION_MAX_CHUNKS; // 20,000 rows per table per run

async function plan(table: "pings" | "events"): Promise<string> {
  const q = oldRowids(table, "2026-10-02", RETENTION_CHUNK);
  const rows = await database(env).all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${q}`);
  return rows.map((r) => r.detail).join("\n");
}

describe("retention: chunked deletes through the (day) indexes", () => {
  it("each chunk seeks the (day) index of its table", async () => {
    expect(await plan("events")).toMatch(/SEARCH events USING (COVERING )?INDEX events_day \(day<\?\)/);
    expect(await plan("pings")).toMatch(/SEARCH pings USING (COVERING )?INDEX pings_day \(day<\?\)/);
  });

  it("one run deletes more rows than one chunk: the loop goes on until a chunk comes back short", async () => {
    await builtThrough("2026-12-31");
    await bulkPings({ n: 3 * RETENTION_CHUNK + 17, day: "2026-09-01", tag: "loop" });
    await bulkEvents({ n: 2 * EVENTS_RETENTION_CHUNK + 3, day: "2026-09-02", tag: "loop" });
    await bulkPings({ n: 4, day: "2026-10-02", tag: "keep" });
    await cron(NOW);
    expect(await count("pings WHERE day < '2026-10-02'")).toBe(0);
    expect(await count("events WHERE day < '2026-10-02'")).toBe(0);
    expect(await count("pings")).toBe(4);
  });

  it("stops at the per-run cap, and the next run goes on", async () => {
    await bulkPings({ n: CAP + 600, day: "2026-08-01", tag: "cap" });
    await cron(NOW);
    expect(await count("pings WHERE day = '2026-08-01'")).toBe(600);
    await cron(NOW);
    expect(await count("pings WHERE day = '2026-08-01'")).toBe(0);
    expect(await count("pings")).toBe(4);
  });
});
