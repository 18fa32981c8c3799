/** Small pure steps shaping rollup rows into the stats API's answers (schema/wire/stats.ts). */
import semver from "semver";
import { maxRangeDays, type Share } from "../../../schema";
import type { DurationHistogram } from "../../../schema/tables";
import { HttpError } from "../../lib/error";
import { utcDay, addDays, dayRange } from "../../lib/time";
import { parseVersion } from "../../lib/version";
import type { Slice } from "../../store/stats";

export interface RangeQuery {
  product?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** product defaults to DEFAULT_PRODUCT, to to today (UTC), from to 29 days before `to`. */
export function resolveSlice(q: RangeQuery, defaultProduct: string, now: number): Slice & { days: string[] } {
  const to = q.to ?? utcDay(now);
  const from = q.from ?? addDays(to, -29);
  if (from > to) throw new HttpError(400, "invalid_query", "$.from: must not be after `to`", { path: "$.from" });
  if (from < addDays(to, -(maxRangeDays - 1))) {
    throw new HttpError(400, "invalid_query", `$.from: at most ${maxRangeDays} days per request`, { path: "$.from" });
  }
  return { product: q.product ?? defaultProduct, from, to, days: dayRange(from, to) };
}

/** One number per day of `days` from rows keyed by day (missing days -> `empty`). */
export function perDay<R extends { day: string }, V>(days: string[], rows: R[], pick: (r: R) => V, empty: V): V[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return days.map((d) => {
    const r = byDay.get(d);
    return r ? pick(r) : empty;
  });
}

/** Groups rows by a key, preserving first-seen order. */
export function groupBy<R>(rows: R[], key: (r: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Newest semantic version first; non-semver strings after, alphabetically; '' (unknown) last. */
export function compareVersionsDesc(a: string, b: string): number {
  if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1;
  const [va, vb] = [parseVersion(a), parseVersion(b)];
  if (va && vb) return semver.rcompare(va, vb) || a.localeCompare(b);
  if (va || vb) return va ? -1 : 1;
  return a.localeCompare(b);
}

/** Whether `version` is the latest release (compared as semantic versions: "v1.2.0" = "1.2.0"). */
export function isLatest(version: string, latest: string | null): boolean {
  const [v, l] = [parseVersion(version), parseVersion(latest)];
  return Boolean(v && l && semver.eq(v, l));
}

export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Shares of a total, largest first. */
export function shares(rows: Array<{ value: string; n: number }>): Share[] {
  const total = rows.reduce((s, r) => s + r.n, 0);
  return rows
    .map((r) => ({ value: r.value, installation_days: r.n, share: total > 0 ? r.n / total : 0 }))
    .sort((a, b) => b.installation_days - a.installation_days || a.value.localeCompare(b.value));
}

/** Sums duration histograms (bucket -> count). */
export function mergeHistograms(list: Array<DurationHistogram | null>): Map<number, number> {
  const out = new Map<number, number>();
  for (const h of list) for (const [k, n] of Object.entries(h ?? {})) out.set(Number(k), (out.get(Number(k)) ?? 0) + n);
  return out;
}

/** Median of a histogram: the middle value, or the mean of the two middle values. Null when empty. */
export function histogramMedian(h: Map<number, number>): number | null {
  const sorted = [...h.entries()].sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return null;
  const at = (rank: number): number => {
    let seen = 0;
    for (const [v, c] of sorted) if ((seen += c) >= rank) return v;
    return sorted[sorted.length - 1]![0];
  };
  return (at(Math.floor((n + 1) / 2)) + at(Math.floor((n + 2) / 2))) / 2;
}
