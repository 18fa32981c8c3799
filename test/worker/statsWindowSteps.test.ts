import { describe, expect, it } from "vitest";
import {
  nullWhereExpired,
  runningSums,
  topFactValues,
  windowReachesExpired,
} from "../../worker/pipeline/stats/windows";

/** The pure steps behind the filtered window figures (pipeline/stats/windows.ts). */
describe("window figure steps", () => {
  const days = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"];

  it("runningSums: deltas before the range count from its first day; unordered input", () => {
    const deltas = [
      { day: "2026-10-03", delta: -1 },
      { day: "2026-09-20", delta: 2 },
      { day: "2026-10-02", delta: 3 },
      { day: "2026-10-03", delta: 1 },
      { day: "2026-10-04", delta: -4 },
    ];
    expect(runningSums(days, deltas)).toEqual([2, 5, 5, 1]);
    expect(runningSums(days, [])).toEqual([0, 0, 0, 0]);
  });

  it("a day is null when its window reaches the last expired day", () => {
    expect(windowReachesExpired("2026-10-07", 7, "2026-10-01")).toBe(true);
    expect(windowReachesExpired("2026-10-08", 7, "2026-10-01")).toBe(false);
    expect(windowReachesExpired("2026-10-30", 30, "2026-10-01")).toBe(true);
    expect(windowReachesExpired("2026-10-31", 30, "2026-10-01")).toBe(false);
    expect(windowReachesExpired("2026-10-01", 30, null)).toBe(false);
    expect(nullWhereExpired(days, [1, 2, 3, 4], 2, "2026-10-02")).toEqual([null, null, null, 4]);
  });

  it("topFactValues: the 50 values with most installation-days per key, the rest summed as (other)", () => {
    const series = Array.from({ length: 55 }, (_, k) => ({
      key: "theme",
      value: `v${String(k).padStart(2, "0")}`,
      // v00 has the most installation-days, v54 the fewest; v54 only on the missing day.
      installations: k === 54 ? [9, 0, 0, 0] : [0, 60 - k, 60 - k, 0],
    }));
    const out = topFactValues(
      [...series, { key: "db", value: "sqlite", installations: [0, 1, 0, 0] }],
      [true, false, false, false],
    );
    const theme = out.filter((x) => x.key === "theme");
    // v54 has no installation on an answered day: left out; v50..v53 summed into (other).
    expect(theme).toHaveLength(51);
    expect(theme.find((x) => x.value === "(other)")!.installations).toEqual([null, 10 + 9 + 8 + 7, 34, 0]);
    expect(theme.find((x) => x.value === "v00")!.installations).toEqual([null, 60, 60, 0]);
    expect(theme.some((x) => x.value === "v50" || x.value === "v54")).toBe(false);
    expect(out[0]).toEqual({ key: "db", value: "sqlite", installations: [null, 1, 0, 0] });
  });
});
