import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { EXPORT_MAX_PAGES, EXPORT_PAGE } from "../../worker/routes/stats/exports";
import { database } from "../../worker/store/db";
import { exportPageSql, type ExportTable } from "../../worker/store/exports";
import { admin } from "./helpers";
import { bulkPings } from "./statsSeed";

const csvRows = async (res: Response) =>
  (await res.text())
    .split("\r\n")
    .filter((l) => l !== "")
    .slice(1);

async function plan(table: ExportTable, product?: string): Promise<string> {
  const q = exportPageSql(
    table,
    ["uuid", "day"],
    { product, from: "2026-05-01", to: "2026-05-31" },
    { day: "2026-05-02", rowid: 40 },
    EXPORT_PAGE,
  );
  const rows = await database(env).all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${q}`);
  return rows.map((r) => r.detail).join("\n");
}

describe("pings CSV export: a keyset that seeks, and a bounded query budget (events: eventArchive.test.ts)", () => {
  it("every page seeks an index starting with day (no table scan, no sort of the range)", async () => {
    const pings = await plan("pings");
    expect(pings).toMatch(/SEARCH pings USING INDEX pings_day \(day=\? AND rowid>\?\)/);
    expect(pings).toMatch(/SEARCH pings USING INDEX pings_day \(day>\? AND day<\?\)/);
    expect(await plan("pings", "acme")).not.toMatch(/SCAN pings/);
    expect(pings).not.toMatch(/SCAN pings/);
  });

  it("pings without product=: every product, over several pages", async () => {
    await bulkPings({ n: EXPORT_PAGE + 1, day: "2026-05-03", tag: "pa" });
    await bulkPings({ n: 10, day: "2026-05-03", tag: "pb", product: "other" });
    const rows = await csvRows(await admin("/v1/admin/export/pings.csv?from=2026-05-03&to=2026-05-03"));
    expect(rows).toHaveLength(EXPORT_PAGE + 11);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(EXPORT_PAGE + 11);
  });

  it("a range needing more queries than the budget: 413 range_too_large before streaming", async () => {
    await bulkPings({ n: EXPORT_PAGE * EXPORT_MAX_PAGES + 1, day: "2026-06-01", tag: "big" });
    const res = await admin("/v1/admin/export/pings.csv?from=2026-05-25&to=2026-06-05");
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("range_too_large");
    expect(body.error.message).toContain("Narrow from/to");
    // Another product's slice of the same days is small enough.
    expect((await admin("/v1/admin/export/pings.csv?product=nobody&from=2026-05-25&to=2026-06-05")).status).toBe(200);
  });
});
