/** Pure steps of the versions answer: the top N series plus "other", and upgrade lag per version. */
import type { VersionStats } from "../../../schema";
import { compareVersionsDesc } from "./steps";

type Series = VersionStats["versions"][number];

/** How many versions the versions answer names in `top`; the rest are summed into `other`. */
export const TOP_VERSIONS = 8;

/**
 * The `n` versions with the most installation-days over the range (newest first), and the
 * per-day sum of every other version: nothing is dropped, top + other = total on every day.
 */
export function topWithOther(versions: Series[], days: number, n = TOP_VERSIONS) {
  const weight = (v: Series) => v.installations.reduce((a, b) => a + b, 0);
  const ranked = [...versions].sort((a, b) => weight(b) - weight(a) || compareVersionsDesc(a.version, b.version));
  const top = ranked.slice(0, n).sort((a, b) => compareVersionsDesc(a.version, b.version));
  const rest = ranked.slice(n);
  const other = Array.from({ length: days }, (_, i) => rest.reduce((s, v) => s + v.installations[i]!, 0));
  return { top, other, otherVersions: rest.length };
}

/**
 * Upgrade lag per named version: from the first day it was seen in the range, how many days until
 * 50 % and 80 % of that day's installations ran it or a newer version (null: not reached yet).
 * '' (unknown) has no lag. Newest first.
 */
export function upgradeLag(days: string[], versions: Series[], total: number[]): VersionStats["upgrade_lag"] {
  const named = versions.filter((v) => v.version !== "").sort((a, b) => compareVersionsDesc(a.version, b.version));
  return named.flatMap((v, k) => {
    const start = v.installations.findIndex((n) => n > 0);
    if (start < 0) return [];
    // named[0..k] are this version and every newer one.
    const newer = named.slice(0, k + 1);
    const share = (i: number) => {
      const t = total[i]!;
      return t > 0 ? newer.reduce((s, x) => s + x.installations[i]!, 0) / t : 0;
    };
    const reach = (goal: number) => {
      for (let i = start; i < days.length; i++) if (share(i) >= goal) return i - start;
      return null;
    };
    return [{ version: v.version, first_seen: days[start]!, days_to_50: reach(0.5), days_to_80: reach(0.8) }];
  });
}
