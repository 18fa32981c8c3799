import { describe, expect, it } from "vitest";
import { topWithOther, upgradeLag } from "../../worker/pipeline/stats/versionShares";

const series = (version: string, installations: number[]) => ({ version, installations });

describe("versions answer: top N + other, upgrade lag (pure)", () => {
  it("sums every version beyond the top N into other: none is dropped", () => {
    const versions = [
      series("3.0.0", [0, 1, 1]),
      series("2.0.0", [5, 5, 5]),
      series("1.0.0", [9, 2, 0]),
      series("0.1.0", [1, 0, 0]),
      series("", [0, 0, 2]),
    ];
    const { top, other, otherVersions } = topWithOther(versions, 3, 2);
    // 2.0.0 (15) and 1.0.0 (11) are the largest; shown newest first.
    expect(top.map((v) => v.version)).toEqual(["2.0.0", "1.0.0"]);
    expect(other).toEqual([1, 1, 3]);
    expect(otherVersions).toBe(3);
    for (let i = 0; i < 3; i++) {
      const total = versions.reduce((s, v) => s + v.installations[i]!, 0);
      expect(top.reduce((s, v) => s + v.installations[i]!, 0) + other[i]!).toBe(total);
    }
  });

  it("upgrade lag: days from a version's first day until 50 % / 80 % run it or newer", () => {
    const days = ["d0", "d1", "d2", "d3"];
    const versions = [series("2.0.0", [1, 4, 6, 9]), series("1.0.0", [9, 6, 4, 1]), series("", [0, 0, 0, 0])];
    const total = [10, 10, 10, 10];
    expect(upgradeLag(days, versions, total)).toEqual([
      { version: "2.0.0", first_seen: "d0", days_to_50: 2, days_to_80: 3 },
      { version: "1.0.0", first_seen: "d0", days_to_50: 0, days_to_80: 0 },
    ]);
    expect(upgradeLag(days, [series("2.0.0", [0, 1, 1, 1]), series("1.0.0", [9, 9, 9, 9])], total)).toEqual([
      { version: "2.0.0", first_seen: "d1", days_to_50: null, days_to_80: null },
      { version: "1.0.0", first_seen: "d0", days_to_50: 0, days_to_80: 0 },
    ]);
  });
});
