import semver from "semver";
import type { ExceptionGroupStats } from "../../../schema";
import { HttpError } from "../../lib/error";
import { isoTime } from "../../lib/time";
import { parseVersion } from "../../lib/version";
import type { Db } from "../../store/db";
import { affectedInstances, exceptionGroupRows, exceptionGroupTrend, latestReport } from "../../store/exceptionGroup";
import { latestRelease, productReleases } from "../../store/stats";
import type { Range } from "./run";
import { answerHead, compareVersionsDesc, cubeFilter, groupBy, newIn, perDay } from "./steps";

/**
 * One exception group over the range: trend, versions and affected installations under the
 * filters (store/stats.ts exceptionRowsSql), and its identity, all time and unfiltered: the latest
 * stack, first/last seen, and whether it is new in the latest release (every version that ever
 * reported it is the latest release or newer). 404 when the product never reported it.
 */
export async function exceptionGroupStats(db: Db, s: Range, fingerprint: string): Promise<ExceptionGroupStats> {
  const f = cubeFilter(s);
  const [rows, inRange, report, affected, latest, releases] = await Promise.all([
    exceptionGroupRows(db, s, fingerprint),
    exceptionGroupTrend(db, s, f, fingerprint),
    latestReport(db, s.product, fingerprint),
    affectedInstances(db, s, fingerprint, 20, f),
    latestRelease(db, s.product),
    productReleases(db, s.product),
  ]);
  if (rows.length === 0 && !report) throw new HttpError(404, "not_found", "No such exception group.");
  const byDay = [...groupBy(inRange, (r) => r.day)].map(([day, list]) => ({
    day,
    occurrences: list.reduce((n, r) => n + r.occurrences, 0),
    installations: list.reduce((n, r) => n + r.n, 0),
  }));
  const versions = [...groupBy(inRange, (r) => r.version)]
    .map(([version, list]) => ({ version, occurrences: list.reduce((n, r) => n + r.occurrences, 0) }))
    .sort((a, b) => compareVersionsDesc(a.version, b.version));
  const newest = [...rows].sort((a, b) => b.lastAt - a.lastAt)[0];
  const l = parseVersion(latest);
  const allVersions = [...new Set(rows.map((r) => r.version))];
  const newInLatest =
    l !== undefined &&
    allVersions.length > 0 &&
    allVersions.every((v) => {
      const p = parseVersion(v);
      return p !== undefined && semver.gte(p, l);
    });
  return {
    ...answerHead(s),
    fingerprint,
    type: report?.type ?? newest!.type,
    message: report?.message ?? newest?.message ?? null,
    stack: report?.stack ?? null,
    occurrences: perDay(s.days, byDay, (r) => r.occurrences, 0),
    installations: perDay(s.days, byDay, (r) => r.installations, 0),
    versions,
    affected,
    first_seen: rows.length ? isoTime(Math.min(...rows.map((r) => r.firstAt))) : null,
    last_seen: rows.length ? isoTime(Math.max(...rows.map((r) => r.lastAt))) : null,
    latest,
    new_in_latest: newInLatest,
    new_in: newIn(
      allVersions,
      releases.map((r) => r.version),
    ),
  };
}
