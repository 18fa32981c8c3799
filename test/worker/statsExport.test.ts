import { describe, expect, it } from "vitest";
import { admin } from "./helpers";
import { insertPings } from "./statsSeed";

describe("CSV export paging", () => {
  it("streams every row of a 1,203-row range once, in (day, rowid) order", async () => {
    const ids = Array.from({ length: 1203 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    await insertPings(
      ids.map((id, i) => ({
        id,
        day: i % 3 === 0 ? "2026-05-02" : "2026-05-01",
        version: "1.0.0",
        env: { note: "=cmd|' /C calc'!A0" },
      })),
    );
    const res = await admin("/v1/admin/export/pings.csv?product=acme&from=2026-05-01&to=2026-05-02");
    expect(res.status).toBe(200);
    const rows = (await res.text())
      .split("\r\n")
      .filter((l) => l !== "")
      .slice(1);
    expect(rows).toHaveLength(1203);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(1203);
    const days = rows.map((r) => r.split(",")[5]);
    expect(days.indexOf("2026-05-02")).toBe(802);
    expect(days.lastIndexOf("2026-05-01")).toBe(801);
  });

  it("defuses spreadsheet formulas in text cells", async () => {
    await insertPings([{ id: "00000000-0000-4000-8000-ffffffffffff", day: "2026-05-03", version: "=1+1" }]);
    const text = await (await admin("/v1/admin/export/pings.csv?product=acme&from=2026-05-03&to=2026-05-03")).text();
    expect(text).toContain(",'=1+1,");
    expect(text).not.toContain(",=1+1,");
  });
});
