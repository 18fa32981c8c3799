/**
 * The stats answers of /v1/admin/stats/*: each reads rollups through store/stats and shapes the
 * wire type of schema/wire/stats.ts.
 */
import type {
  ActiveStats,
  DistributionStats,
  ExceptionStats,
  FactStats,
  FrontendStats,
  PlatformStats,
  SessionStats,
  VersionStats,
} from "../../../schema";
import type { Db } from "../../store/db";
import {
  activeRows,
  dimRows,
  dimTotals,
  exceptionGroups,
  exceptionVersions,
  latestRelease,
  metricRows,
  productReleases,
  rawVersionRows,
  sessionRows,
} from "../../store/stats";
import { frontendRows, pageDurations, pageTotals } from "../../store/statsFrontend";
import { cubeDays, cubeDistributions, cubeVersions } from "../../store/statsCube";
import { rawExpiredThrough, rawMissingDays, sliceRuntimeRows, sliceValueRows } from "../../store/statsSlice";
import { activeWindowDeltas, factWindowDeltas } from "../../store/statsWindow";
import { isoTime } from "../../lib/time";
import {
  answerHead,
  asOfDay,
  compareVersionsDesc,
  cubeFilter,
  groupBy,
  isFiltered,
  histogramMedian,
  isLatest,
  mergeHistograms,
  metricsFromValues,
  newIn,
  perDay,
  ratio,
  shares,
  type Range,
} from "./steps";
import { topWithOther, upgradeLag } from "./versionShares";
import { nullWhereExpired, runningSums, topFactValues, windowReachesExpired } from "./windows";

export type { Range } from "./steps";

/**
 * Active installations per day. Filtered: active-1 from the breakdown cube; active-7/30 by the
 * window definition (schema/wire/stats.ts ActiveStats) from the raw pings of [from - 29, to]
 * (store/statsWindow.ts), null where the window reaches expired raw pings (`raw_missing_days`);
 * raw pings are not in any slice: null, listed in `not_filtered`.
 */
export async function activeStats(db: Db, s: Range): Promise<ActiveStats> {
  if (isFiltered(s)) {
    const f = cubeFilter(s);
    const [rows, deltas, expired] = await Promise.all([
      cubeDays(db, s, f),
      activeWindowDeltas(db, s, f),
      rawExpiredThrough(db, s),
    ]);
    const windowOf = (n: number) =>
      nullWhereExpired(
        s.days,
        runningSums(
          s.days,
          deltas.filter((d) => d.n === n),
        ),
        n,
        expired,
      );
    return {
      ...answerHead(s, ["pings"]),
      active1: perDay(s.days, rows, (r) => r.installations, 0),
      active7: windowOf(7),
      active30: windowOf(30),
      pings: s.days.map(() => null),
      raw_missing_days: s.days.filter((d) => windowReachesExpired(d, 30, expired)),
    };
  }
  const rows = await activeRows(db, s);
  return {
    ...answerHead(s),
    active1: perDay(s.days, rows, (r) => r.active1, 0),
    active7: perDay(s.days, rows, (r) => r.active7, 0),
    active30: perDay(s.days, rows, (r) => r.active30, 0),
    pings: perDay(s.days, rows, (r) => r.pings, 0),
    raw_missing_days: [],
  };
}

/**
 * Installations per version per day and the share on the latest release, from rollups (the
 * breakdown cube when filtered) or raw pings (filtered the same way: by each day's last ping).
 */
export async function versionStats(db: Db, s: Range, source: "rollup" | "raw"): Promise<VersionStats> {
  const [rows, latest, releases] = await Promise.all([
    source === "raw"
      ? rawVersionRows(db, s, cubeFilter(s))
      : isFiltered(s)
        ? cubeVersions(db, s, cubeFilter(s))
        : dimRows(db, s, "version"),
    latestRelease(db, s.product),
    productReleases(db, s.product),
  ]);
  const byVersion = groupBy(rows, (r) => r.value);
  const versions = [...byVersion.keys()].sort(compareVersionsDesc).map((version) => ({
    version,
    installations: perDay(s.days, byVersion.get(version)!, (r) => r.installations, 0),
  }));
  const total = s.days.map((_, i) => versions.reduce((n, v) => n + v.installations[i]!, 0));
  const onLatest = s.days.map((_, i) =>
    versions.reduce((n, v) => n + (isLatest(v.version, latest) ? v.installations[i]! : 0), 0),
  );
  const { top, other, otherVersions } = topWithOther(versions, s.days.length);
  return {
    ...answerHead(s),
    source,
    latest,
    total,
    share_latest: total.map((t, i) => (latest === null ? null : ratio(onLatest[i]!, t))),
    versions,
    top,
    other,
    other_versions: otherVersions,
    upgrade_lag: upgradeLag(s.days, versions, total),
    releases: releases.map((r) => ({ version: r.version, released_at: isoTime(r.releasedAt) ?? "" })),
  };
}

/**
 * Distinct installations per value on the `as_of` day (and installation-days over the range):
 * from rollup_dims, or from the breakdown cube when filtered; runtimes are not in the cube, so
 * under a filter they come from the range's raw pings of the slice (store/statsSlice.ts), and days
 * whose raw pings expired are listed in `raw_missing_days`.
 */
export async function distributionStats(db: Db, s: Range): Promise<DistributionStats> {
  const asOf = asOfDay(s);
  const filtered = isFiltered(s);
  // Filtered: the cube's dimensions, and runtimes (not in the cube) from the range's raw pings.
  const [rows, missing] = filtered
    ? await Promise.all([
        Promise.all([cubeDistributions(db, s, cubeFilter(s), asOf), sliceRuntimeRows(db, s, cubeFilter(s), asOf)]).then(
          ([cube, runtimes]) => [...cube, ...runtimes],
        ),
        rawMissingDays(db, s),
      ])
    : [await dimTotals(db, s, ["os_type", "os_arch", "os", "license", "country", "runtime"], asOf), []];
  const of = (dim: string) => shares(rows.filter((r) => r.dim === dim));
  const runtime: Record<string, ReturnType<typeof shares>> = {};
  for (const [key, list] of groupBy(
    rows.filter((r) => r.dim === "runtime"),
    (r) => r.key,
  )) {
    runtime[key] = shares(list);
  }
  const osTypes = rows.filter((r) => r.dim === "os_type");
  return {
    ...answerHead(s),
    raw_missing_days: missing,
    as_of: asOf,
    installations: osTypes.reduce((n, r) => n + r.onDay, 0),
    installation_days: osTypes.reduce((n, r) => n + r.n, 0),
    os_type: of("os_type"),
    os_arch: of("os_arch"),
    os: of("os"),
    license: of("license"),
    country: of("country"),
    runtime,
  };
}

/**
 * platform.counts series per key; platform.config flags: share on over the range and per day.
 * Filtered: computed from the raw pings of the range restricted to the slice (store/statsSlice.ts:
 * medians do not add up across slices); days whose raw pings expired are listed in
 * `raw_missing_days`.
 */
export async function platformStats(db: Db, s: Range): Promise<PlatformStats> {
  const filtered = isFiltered(s);
  const [rows, missing] = filtered
    ? await Promise.all([sliceValueRows(db, s, cubeFilter(s)).then(metricsFromValues), rawMissingDays(db, s)])
    : [await metricRows(db, s), []];
  const counts = [
    ...groupBy(
      rows.filter((r) => r.kind === "count"),
      (r) => r.key,
    ),
  ]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, list]) => ({
      key,
      reporting: perDay(s.days, list, (r) => r.reporting, 0),
      sum: perDay(s.days, list, (r) => r.total, 0),
      median: perDay<(typeof list)[number], number | null>(s.days, list, (r) => r.median, null),
      p90: perDay<(typeof list)[number], number | null>(s.days, list, (r) => r.p90, null),
    }));
  const flags = [
    ...groupBy(
      rows.filter((r) => r.kind === "flag"),
      (r) => r.key,
    ),
  ]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, list]) => {
      const reporting = list.reduce((n, r) => n + r.reporting, 0);
      const on = list.reduce((n, r) => n + r.total, 0);
      return {
        key,
        reporting,
        on,
        share: reporting > 0 ? on / reporting : 0,
        share_by_day: perDay<(typeof list)[number], number | null>(
          s.days,
          list,
          (r) => ratio(r.total, r.reporting),
          null,
        ),
      };
    });
  return { ...answerHead(s), raw_missing_days: missing, counts, flags };
}

/**
 * Installations per fact key and value per day; facts that name no installation, counted apart.
 * Filtered: the window definition with N = 30 (store/statsWindow.ts factWindowDeltas), top 50
 * values per key over the range, null where the window reaches expired raw pings; unattributed
 * facts have no installation, so no slice: unfiltered, listed in `not_filtered`.
 */
export async function factStats(db: Db, s: Range): Promise<FactStats> {
  const filtered = isFiltered(s);
  const [rows, loose] = await Promise.all([
    filtered ? Promise.resolve([]) : dimRows(db, s, "fact"),
    dimRows(db, s, "fact_unattributed"),
  ]);
  const series = (list: typeof rows) =>
    [...groupBy(list, (r) => JSON.stringify([r.key, r.value]))]
      .map(([, group]) => ({
        key: group[0]!.key,
        value: group[0]!.value,
        n: perDay(s.days, group, (r) => r.installations, 0),
      }))
      .sort((a, b) => a.key.localeCompare(b.key) || a.value.localeCompare(b.value));
  const unattributed = series(loose).map(({ key, value, n }) => ({ key, value, facts: n }));
  if (!filtered) {
    return {
      ...answerHead(s),
      raw_missing_days: [],
      facts: series(rows).map(({ key, value, n }) => ({ key, value, installations: n })),
      unattributed,
    };
  }
  const [deltas, expired] = await Promise.all([factWindowDeltas(db, s, cubeFilter(s)), rawExpiredThrough(db, s)]);
  const perValue = [...groupBy(deltas, (r) => JSON.stringify([r.key, r.value]))].map(([, group]) => ({
    key: group[0]!.key,
    value: group[0]!.value,
    installations: runningSums(s.days, group),
  }));
  const missing = s.days.map((d) => windowReachesExpired(d, 30, expired));
  return {
    ...answerHead(s, ["unattributed"]),
    raw_missing_days: s.days.filter((_, i) => missing[i]),
    facts: topFactValues(perValue, missing),
    unattributed,
  };
}

/**
 * Exception groups over the range, filtered (store/stats.ts exceptionRowsSql: version = the
 * report's, licence type / country = the reporting installation's slice of the day); type,
 * message, first/last seen and new_in describe the group (all time, unfiltered).
 */
export async function exceptionStats(db: Db, s: Range): Promise<ExceptionStats> {
  const [groups, releases] = await Promise.all([exceptionGroups(db, s, cubeFilter(s)), productReleases(db, s.product)]);
  const everVersions = await exceptionVersions(
    db,
    s.product,
    groups.map((g) => g.fingerprint),
  );
  const released = releases.map((r) => r.version);
  return {
    ...answerHead(s),
    groups: groups.map((g) => ({
      fingerprint: g.fingerprint,
      type: g.seen.type,
      message: g.seen.message,
      occurrences: g.occurrences,
      crashes: g.crashes,
      installation_days: g.installationDays,
      versions: g.versions.sort(compareVersionsDesc),
      first_seen: isoTime(g.seen.first),
      last_seen: isoTime(g.seen.last),
      new_in: newIn(everVersions.get(g.fingerprint) ?? [], released),
    })),
  };
}

/**
 * Release health per version (Sentry sessions) and Sentry client-report drops. The version filter
 * applies to the releases (a session's release); Sentry sessions carry no licence type or country
 * and client reports no version, so those stay unfiltered and are named in `not_filtered`.
 */
export async function sessionStats(db: Db, s: Range): Promise<SessionStats> {
  const [rows, metrics] = await Promise.all([sessionRows(db, s, s.filters.version), metricRows(db, s)]);
  const releases = [...groupBy(rows, (r) => r.version)]
    .sort(([a], [b]) => compareVersionsDesc(a, b))
    .map(([version, list]) => {
      const sessions = list.reduce((n, r) => n + r.sessions, 0);
      const crashed = list.reduce((n, r) => n + r.crashed, 0);
      return {
        version,
        sessions: perDay(s.days, list, (r) => r.sessions, 0),
        errored: perDay(s.days, list, (r) => r.errored, 0),
        crashed: perDay(s.days, list, (r) => r.crashed, 0),
        abnormal: perDay(s.days, list, (r) => r.abnormal, 0),
        crash_free: sessions > 0 ? 1 - crashed / sessions : null,
        crash_free_by_day: perDay<(typeof list)[number], number | null>(
          s.days,
          list,
          (r) => (r.sessions > 0 ? 1 - r.crashed / r.sessions : null),
          null,
        ),
      };
    });
  const dropped = [
    ...groupBy(
      metrics.filter((r) => r.kind === "dropped"),
      (r) => r.key,
    ),
  ]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, list]) => ({
      key,
      reports: perDay(s.days, list, (r) => r.reporting, 0),
      quantity: perDay(s.days, list, (r) => r.total, 0),
    }));
  const unsliced = s.filters.license_type !== undefined || s.filters.country !== undefined;
  return { ...answerHead(s, [...(unsliced ? ["releases"] : []), "dropped"]), releases, dropped };
}

/**
 * Pageviews/sessions per day, top pages with median time on page, entry and exit pages. Filtered:
 * every figure from the filter's breakdown slice (store/eventSlices.ts: the event's app version and
 * licence type, its installation's country), so nothing is listed in `not_filtered`.
 */
export async function frontendStats(db: Db, s: Range): Promise<FrontendStats> {
  const f = isFiltered(s) ? cubeFilter(s) : undefined;
  const [days, pages] = await Promise.all([frontendRows(db, s, f), pageTotals(db, s, f)]);
  const histograms = groupBy(
    await pageDurations(
      db,
      s,
      pages.top.map((p) => p.path),
      f,
    ),
    (r) => r.path,
  );
  return {
    ...answerHead(s),
    pageviews: perDay(s.days, days, (r) => r.pageviews, 0),
    sessions: perDay(s.days, days, (r) => r.sessions, 0),
    visitors: perDay(s.days, days, (r) => r.visitors, 0),
    median_seconds: histogramMedian(mergeHistograms(days.map((r) => r.durations))),
    top_pages: pages.top.map((p) => ({
      ...p,
      median_seconds: histogramMedian(mergeHistograms((histograms.get(p.path) ?? []).map((r) => r.durations))),
    })),
    entry_pages: pages.entries.map((p) => ({ path: p.path, entries: p.entries })),
    exit_pages: pages.exits.map((p) => ({ path: p.path, exits: p.exits })),
  };
}
