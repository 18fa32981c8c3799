/**
 * Pure steps turning the window deltas of store/statsWindow.ts into per-day figures: running sums
 * over the days, null on days whose window reaches a day of expired raw pings, and the facts' top
 * values per key.
 */
import { addDays } from "../../lib/time";
import { FACT_VALUES_PER_KEY } from "../../store/rollupSql";

/**
 * The count on each of `days` (ascending): the sum of every delta dated on or before it (deltas
 * are dated by YYYY-MM-DD, so string order is day order).
 */
export function runningSums(days: string[], deltas: Array<{ day: string; delta: number }>): number[] {
  const sorted = [...deltas].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  let i = 0;
  let sum = 0;
  return days.map((d) => {
    while (i < sorted.length && sorted[i]!.day <= d) sum += sorted[i++]!.delta;
    return sum;
  });
}

/**
 * Whether day `d`'s window of `n` days reaches `expiredThrough` (the newest day with rollups
 * but no raw pings left, store/statsSlice.ts rawExpiredThrough): its request-time figure would
 * miss installations, so it is answered null.
 */
export function windowReachesExpired(d: string, n: number, expiredThrough: string | null): boolean {
  return expiredThrough !== null && addDays(d, -(n - 1)) <= expiredThrough;
}

/** `values` with null on the days whose `n`-day window reaches expired raw pings. */
export function nullWhereExpired<T>(
  days: string[],
  values: T[],
  n: number,
  expiredThrough: string | null,
): Array<T | null> {
  return days.map((d, i) => (windowReachesExpired(d, n, expiredThrough) ? null : values[i]!));
}

/**
 * Per key, the FACT_VALUES_PER_KEY values with most installation-days over the range (the days
 * answered), the rest summed per day into "(other)"; values with no installation on any answered
 * day are left out (as the rollup has no row for them). Sorted by key, then value. `missing[i]`
 * marks day i null (its 30-day window reaches expired raw pings).
 */
export function topFactValues(
  series: Array<{ key: string; value: string; installations: number[] }>,
  missing: boolean[],
): Array<{ key: string; value: string; installations: Array<number | null> }> {
  const shown = (n: number[]) => n.map((v, i) => (missing[i] ? null : v));
  const total = (n: number[]) => n.reduce((t, v, i) => t + (missing[i] ? 0 : v), 0);
  const byKey = new Map<string, Array<{ value: string; installations: number[]; total: number }>>();
  for (const s of series) {
    const t = total(s.installations);
    if (t === 0) continue;
    const list = byKey.get(s.key) ?? [];
    list.push({ value: s.value, installations: s.installations, total: t });
    byKey.set(s.key, list);
  }
  const out: Array<{ key: string; value: string; installations: Array<number | null> }> = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => b.total - a.total || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const kept = new Map(list.slice(0, FACT_VALUES_PER_KEY).map((v) => [v.value, [...v.installations]]));
    for (const rest of list.slice(FACT_VALUES_PER_KEY)) {
      const other = kept.get("(other)") ?? missing.map(() => 0);
      kept.set(
        "(other)",
        other.map((v, i) => v + rest.installations[i]!),
      );
    }
    for (const [value, n] of kept) out.push({ key, value, installations: shown(n) });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key) || a.value.localeCompare(b.value));
}
