import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { EXPORT_MAX_PAGES, EXPORT_PAGE } from "../../worker/routes/stats/exports";
import { database } from "../../worker/store/db";
import { exportPageSql, type ExportTable } from "../../worker/store/exports";
import { admin } from "./helpers";
import { bulkEvents, bulkPings } from "./statsSeed";

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

describe("CSV exports: a keyset that seeks, and a bounded query budget", () => {
  it("every page seeks an index starting with day (no table scan, no sort of the range)", async () => {
    const events = await plan("events");
    expect(events).toMatch(/SEARCH events USING INDEX events_day \(day=\? AND rowid>\?\)/);
    expect(events).toMatch(/SEARCH events USING INDEX events_day \(day>\? AND day<\?\)/);
    expect(await plan("events", "acme")).toMatch(
      /SEARCH events USING INDEX events_product_day \(product=\? AND day=\? AND rowid>\?\)/,
    );
    expect(await plan("pings")).toMatch(/SEARCH pings USING INDEX pings_day \(day=\? AND rowid>\?\)/);
    for (const p of [events, await plan("pings"), await plan("events", "acme")])
      expect(p).not.toMatch(/SCAN (events|pings)/);
  });

  it("events over more than one page, in (day, rowid) order, each once; filtered by product or not", async () => {
    const n = EXPORT_PAGE + 345;
    await bulkEvents({ n: n - 1000, day: "2026-05-02", tag: "b" });
    await bulkEvents({ n: 1000, day: "2026-05-01", tag: "a" }); // inserted later, exported first (day order)
    await bulkEvents({ n: 120, day: "2026-05-01", tag: "o", product: "other" });
    const res = await admin("/v1/admin/export/events.csv?product=acme&from=2026-05-01&to=2026-05-02");
    expect(res.status).toBe(200);
    const rows = await csvRows(res);
    expect(rows).toHaveLength(n);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(n);
    const days = rows.map((r) => r.split(",")[5]);
    expect(days.lastIndexOf("2026-05-01")).toBe(999);
    expect(days.indexOf("2026-05-02")).toBe(1000);
    const all = await csvRows(await admin("/v1/admin/export/events.csv?from=2026-05-01&to=2026-05-02"));
    expect(all).toHaveLength(n + 120);
    expect(all.filter((r) => r.split(",")[1] === "other")).toHaveLength(120);
  });

  it("pings without product=: every product, over several pages", async () => {
    await bulkPings({ n: EXPORT_PAGE + 1, day: "2026-05-03", tag: "pa" });
    await bulkPings({ n: 10, day: "2026-05-03", tag: "pb", product: "other" });
    const rows = await csvRows(await admin("/v1/admin/export/pings.csv?from=2026-05-03&to=2026-05-03"));
    expect(rows).toHaveLength(EXPORT_PAGE + 11);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(EXPORT_PAGE + 11);
  });

  it("a range needing more queries than the budget: 413 range_too_large before streaming", async () => {
    await bulkEvents({ n: EXPORT_PAGE * EXPORT_MAX_PAGES + 1, day: "2026-06-01", tag: "big" });
    const res = await admin("/v1/admin/export/events.csv?from=2026-05-25&to=2026-06-05");
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("range_too_large");
    expect(body.error.message).toContain("Narrow from/to");
    // Another product's slice of the same days is small enough.
    expect((await admin("/v1/admin/export/events.csv?product=nobody&from=2026-05-25&to=2026-06-05")).status).toBe(200);
  });
});
