import { describe, expect, it } from "vitest";
import { keepFrom, windowOf } from "../../worker/pipeline/rollup/steps";
import { compareVersionsDesc, histogramMedian, isLatest, mergeHistograms } from "../../worker/pipeline/stats/steps";

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
