/** Small pure steps shaping rollup rows into the stats API's answers (schema/wire/stats.ts). */
import semver from "semver";
import { maxRangeDays, statsFilterKeys, type Share, type StatsFilters } from "../../../schema";
import type { DurationHistogram } from "../../../schema/tables";
import { HttpError } from "../../lib/error";
import { utcDay, addDays, dayRange } from "../../lib/time";
import { parseVersion } from "../../lib/version";
import type { CubeFilter, Slice } from "../../store/stats";

export interface RangeQuery extends StatsFilters {
  product?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A resolved stats query: product, from/to, every day between them, the filters, and today (UTC). */
export type Range = Slice & { days: string[]; filters: StatsFilters; today: string };

/** product defaults to DEFAULT_PRODUCT, to to today (UTC), from to 29 days before `to`; only given filters are kept. */
export function resolveSlice(q: RangeQuery, defaultProduct: string, now: number): Range {
  const today = utcDay(now);
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, -29);
  if (from > to) throw new HttpError(400, "invalid_query", "$.from: must not be after `to`", { path: "$.from" });
  if (from < addDays(to, -(maxRangeDays - 1))) {
    throw new HttpError(400, "invalid_query", `$.from: at most ${maxRangeDays} days per request`, { path: "$.from" });
  }
  const filters: StatsFilters = {};
  for (const k of statsFilterKeys) if (q[k] !== undefined) filters[k] = q[k];
  return { product: q.product ?? defaultProduct, from, to, days: dayRange(from, to), filters, today };
}

export const isFiltered = (s: Range): boolean => Object.keys(s.filters).length > 0;

/** The filters in the store's terms. */
export function cubeFilter(s: Range): CubeFilter {
  return { version: s.filters.version, licenseType: s.filters.license_type, country: s.filters.country };
}

/**
 * The head every stats answer repeats: the range, the filters applied, and `not_filtered`, the
 * fields of the answer the filters do not apply to (none when there is no filter).
 */
export function answerHead(s: Range, notFiltered: string[] = []) {
  return {
    product: s.product,
    from: s.from,
    to: s.to,
    days: s.days,
    filters: s.filters,
    not_filtered: isFiltered(s) ? notFiltered : [],
  };
}

/**
 * The day distinct installations are counted on: the range's last day that is over (the day
 * before today when the range runs to today and holds more than today), else `to`.
 */
export function asOfDay(s: Range): string {
  return s.to >= s.today && s.from < s.today ? addDays(s.today, -1) : s.to;
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

/**
 * Shares of the installations counted on one day (`onDay`), largest first; values seen in the
 * range but not that day keep their installation-days with 0 installations.
 */
export function shares(rows: Array<{ value: string; onDay: number; n: number }>): Share[] {
  const total = rows.reduce((s, r) => s + r.onDay, 0);
  return rows
    .map((r) => ({
      value: r.value,
      installations: r.onDay,
      share: total > 0 ? r.onDay / total : 0,
      installation_days: r.n,
    }))
    .sort(
      (a, b) =>
        b.installations - a.installations ||
        b.installation_days - a.installation_days ||
        a.value.localeCompare(b.value),
    );
}

/** Sums duration histograms (bucket -> count). */
export function mergeHistograms(list: Array<DurationHistogram | null>): Map<number, number> {
  const out = new Map<number, number>();
  for (const h of list) for (const [k, n] of Object.entries(h ?? {})) out.set(Number(k), (out.get(Number(k)) ?? 0) + n);
  return out;
}

/** The value at each 1-based rank of a histogram's values in ascending order (ranks past the end: the largest). */
function histogramAt(h: Map<number, number>): { n: number; at: (rank: number) => number } {
  const sorted = [...h.entries()].sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((s, [, c]) => s + c, 0);
  const at = (rank: number): number => {
    let seen = 0;
    for (const [v, c] of sorted) if ((seen += c) >= rank) return v;
    return sorted[sorted.length - 1]![0];
  };
  return { n, at };
}

/** Median of a histogram: the middle value, or the mean of the two middle values. Null when empty. */
export function histogramMedian(h: Map<number, number>): number | null {
  const { n, at } = histogramAt(h);
  if (n === 0) return null;
  return (at(Math.floor((n + 1) / 2)) + at(Math.floor((n + 2) / 2))) / 2;
}

/** p90 of a histogram by nearest rank, as rollupSql.ts countsSql takes it (rank (9n + 9) / 10, integer division). */
export function histogramP90(h: Map<number, number>): number | null {
  const { n, at } = histogramAt(h);
  return n === 0 ? null : at(Math.floor((9 * n + 9) / 10));
}

/**
 * rollup_metrics-shaped rows (reporting, total, median, p90 per day and count key; reporting and
 * on per day and flag) from per-value histograms (store/statsSlice.ts sliceValueRows).
 */
export function metricsFromValues(
  rows: Array<{ day: string; kind: "count" | "flag"; key: string; v: number; n: number }>,
): Array<{
  day: string;
  kind: "count" | "flag";
  key: string;
  reporting: number;
  total: number;
  median: number | null;
  p90: number | null;
}> {
  const out = [];
  for (const [, list] of groupBy(rows, (r) => JSON.stringify([r.day, r.kind, r.key]))) {
    const { day, kind, key } = list[0]!;
    if (kind === "flag") {
      out.push({ day, kind, key, reporting: list[0]!.n, total: list[0]!.v, median: null, p90: null });
      continue;
    }
    const h = new Map<number, number>();
    for (const r of list) h.set(r.v, (h.get(r.v) ?? 0) + r.n);
    const sorted = [...h.entries()].sort((a, b) => a[0] - b[0]);
    out.push({
      day,
      kind,
      key,
      reporting: sorted.reduce((s, [, c]) => s + c, 0),
      total: sorted.reduce((s, [v, c]) => s + v * c, 0),
      median: histogramMedian(h),
      p90: histogramP90(h),
    });
  }
  return out;
}

/**
 * The release an exception group is new in: the oldest version that ever reported it, when it is
 * one of the product's releases (semantic versions compared: "v1.2.0" = "1.2.0"). Null when
 * a reporting version is unknown or not a semantic version (its age cannot be told), when the
 * oldest one was never released (the group predates the release history), or when it is the
 * first release of the history (no older release is known to have run without it).
 */
export function newIn(versions: string[], releases: string[]): string | null {
  const parsed = versions.map(parseVersion);
  if (parsed.length === 0 || parsed.some((v) => v === undefined)) return null;
  const oldest = parsed.reduce((a, b) => (semver.lt(b!, a!) ? b : a))!;
  const released = releases.flatMap((r) => {
    const p = parseVersion(r);
    return p === undefined ? [] : [{ r, p }];
  });
  const match = released.find((x) => semver.eq(x.p, oldest));
  return match && released.some((x) => semver.lt(x.p, oldest)) ? match.r : null;
}
