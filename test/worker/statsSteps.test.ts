import { describe, expect, it } from "vitest";
import { keepFrom, windowOf } from "../../worker/pipeline/rollup/steps";
import {
  compareVersionsDesc,
  histogramMedian,
  isLatest,
  mergeHistograms,
  metricsFromValues,
} from "../../worker/pipeline/stats/steps";
import { prng } from "./helpers";

describe("stats steps (pure)", () => {
  it("median of merged duration histograms: middle value, or the mean of the two middle ones", () => {
    expect(
      histogramMedian(
        mergeHistograms([
          { "5": 1, "10": 1 },
          { "20": 1, "30": 1 },
        ]),
      ),
    ).toBe(15);
    expect(histogramMedian(mergeHistograms([{ "5": 2 }, { "60": 1 }]))).toBe(5);
    expect(histogramMedian(mergeHistograms([null, {}]))).toBeNull();
    expect(histogramMedian(mergeHistograms([{ "3600": 3, "1": 1 }]))).toBe(3600);
  });

  it("orders versions newest first: semver, then other strings, unknown last", () => {
    expect(["1.2.0", "", "nightly", "v1.10.0", "1.10.0-beta.1", "0.9.0"].sort(compareVersionsDesc)).toEqual([
      "v1.10.0",
      "1.10.0-beta.1",
      "1.2.0",
      "0.9.0",
      "nightly",
      "",
    ]);
    expect(isLatest("v1.2.0", "1.2.0")).toBe(true);
    expect(isLatest("1.2.0-rc.1", "1.2.0")).toBe(false);
    expect(isLatest("", null)).toBe(false);
  });

  it("retention keeps RETENTION_DAYS, and never what a pending rebuild still reads", () => {
    expect(keepFrom("2026-12-31", 90, "2026-12-31")).toBe("2026-10-02");
    expect(keepFrom("2026-12-31", 90, "2026-07-01")).toBe("2026-05-29");
    // Short retention: the rebuilds read only their own days (activity answers the windows)...
    expect(keepFrom("2026-12-31", 7, "2026-12-31")).toBe("2026-12-24");
    expect(keepFrom("2026-12-31", 1, "2026-12-31")).toBe("2026-12-29"); // the 3 recent days stay
    expect(keepFrom("2026-12-31", 7, "2026-12-20")).toBe("2026-12-20"); // and a backlog's days
    // ...unless the backlog reaches beyond the activity table (32 days): its raw windows stay.
    expect(keepFrom("2026-12-31", 7, "2026-11-20")).toBe("2026-10-18");
  });

  it("a day within 32 days of today is rolled up from instance_activity, an older one from the raw window", () => {
    expect(windowOf("2026-12-31", "2026-12-31").fromActivity).toBe(true);
    expect(windowOf("2026-11-29", "2026-12-31").fromActivity).toBe(true);
    expect(windowOf("2026-11-28", "2026-12-31").fromActivity).toBe(false);
  });
});

describe("metricsFromValues (filtered platform counts from per-value histograms)", () => {
  it("equals the rollup's definitions on the expanded values: mean of the two middle values, nearest-rank p90", () => {
    const r = prng(9);
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, () => Math.floor(r() * 6));
      const histogram = new Map<number, number>();
      for (const v of values) histogram.set(v, (histogram.get(v) ?? 0) + 1);
      const rows = [...histogram].map(([v, c]) => ({ day: "d", kind: "count" as const, key: "k", v, n: c }));
      const sorted = [...values].sort((a, b) => a - b);
      // rollupSql.ts countsSql, 1-based ranks with integer division.
      const rank = (i: number) => sorted[i - 1]!;
      expect(metricsFromValues(rows), `n=${n}`).toEqual([
        {
          day: "d",
          kind: "count",
          key: "k",
          reporting: n,
          total: values.reduce((a, b) => a + b, 0),
          median: (rank(Math.floor((n + 1) / 2)) + rank(Math.floor((n + 2) / 2))) / 2,
          p90: rank(Math.floor((9 * n + 9) / 10)),
        },
      ]);
    }
    expect(metricsFromValues([{ day: "d", kind: "flag", key: "ha", v: 2, n: 5 }])).toEqual([
      { day: "d", kind: "flag", key: "ha", reporting: 5, total: 2, median: null, p90: null },
    ]);
  });
});
