import { and, between, eq, inArray, sql, type SQL } from "drizzle-orm";
import {
  pings,
  releaseHistory,
  releases,
  rollupActive,
  rollupDims,
  rollupExceptions,
  rollupExceptionSlices,
  rollupFrontend,
  rollupMetrics,
  rollupSessions,
} from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";

/**
 * Reads of the rollup tables. Every query is bounded by (product, day BETWEEN from AND to), a
 * prefix of the tables' primary keys: its cost grows with the days asked for.
 */
export interface Slice {
  product: string;
  from: string;
  to: string;
}

/** The breakdown filters as stored values ('' = unknown); undefined = not filtered. */
export interface CubeFilter {
  version?: string | undefined;
  licenseType?: string | undefined;
  country?: string | undefined;
}

export async function activeRows(db: Db, s: Slice) {
  return guard("statsActive", () =>
    db
      .select()
      .from(rollupActive)
      .where(and(eq(rollupActive.product, s.product), between(rollupActive.day, s.from, s.to))),
  );
}

export interface DimRow {
  day: string;
  key: string;
  value: string;
  installations: number;
}

/** Per-day rows of one dimension. */
export async function dimRows(db: Db, s: Slice, dim: string): Promise<DimRow[]> {
  return guard("statsDims", () =>
    db
      .select({
        day: rollupDims.day,
        key: rollupDims.key,
        value: rollupDims.value,
        installations: rollupDims.installations,
      })
      .from(rollupDims)
      .where(and(eq(rollupDims.product, s.product), between(rollupDims.day, s.from, s.to), eq(rollupDims.dim, dim))),
  );
}

/** Per (dim, key, value): installations on the `asOf` day and installation-days over the range, summed in D1. */
export async function dimTotals(db: Db, s: Slice, dims: string[], asOf: string) {
  return guard("statsDimTotals", () =>
    db
      .select({
        dim: rollupDims.dim,
        key: rollupDims.key,
        value: rollupDims.value,
        onDay: sql<number>`total(CASE WHEN ${rollupDims.day} = ${asOf} THEN ${rollupDims.installations} END)`,
        n: sql<number>`total(${rollupDims.installations})`,
      })
      .from(rollupDims)
      .where(
        and(eq(rollupDims.product, s.product), between(rollupDims.day, s.from, s.to), inArray(rollupDims.dim, dims)),
      )
      .groupBy(rollupDims.dim, rollupDims.key, rollupDims.value),
  );
}

export async function metricRows(db: Db, s: Slice) {
  return guard("statsMetrics", () =>
    db
      .select()
      .from(rollupMetrics)
      .where(and(eq(rollupMetrics.product, s.product), between(rollupMetrics.day, s.from, s.to))),
  );
}

/**
 * The exception rollup rows of `s` under a filter, as (fingerprint, day, version, occurrences,
 * crashes, n) where n is the rows' distinct installations of the fingerprint that day, to be
 * summed per (fingerprint, day) (`exceptionDayInstallations`). Unfiltered: rollup_exceptions
 * (n: the day's installations of every version, on one row per day). Version only:
 * rollup_exceptions of the report's version (n: that version's installations). Licence type
 * and/or country: rollup_exception_slices of the matching slices (an installation is in one slice
 * per day, so the slices' counts add up; n: one row per slice and day).
 * `fingerprint`, when given, narrows to one group (the (product, fingerprint) indexes).
 */
export function exceptionRowsSql(s: Slice, f: CubeFilter, fingerprint?: string): SQL {
  const ofFp = fingerprint === undefined ? sql`` : sql` AND fingerprint = ${fingerprint}`;
  const sliced = f.licenseType !== undefined || f.country !== undefined;
  if (!sliced) {
    const ofVersion = f.version === undefined ? sql`` : sql` AND version = ${f.version}`;
    // Unfiltered, the day's count is repeated on each version's row: only the first counts.
    const n =
      f.version === undefined
        ? sql`CASE WHEN row_number() OVER (PARTITION BY fingerprint, day ORDER BY version) = 1
            THEN max(CASE WHEN day_installations > 0 THEN day_installations ELSE installations END) OVER (PARTITION BY fingerprint, day) ELSE 0 END`
        : sql`installations`;
    return sql`SELECT fingerprint, day, version, type, message, occurrences, crashes, first_at AS firstAt, last_at AS lastAt, ${n} AS n
      FROM ${rollupExceptions} WHERE product = ${s.product} AND day BETWEEN ${s.from} AND ${s.to}${ofFp}${ofVersion}`;
  }
  const eq = (column: string, value: string | undefined) =>
    value === undefined ? sql`` : sql` AND ${sql.raw(column)} = ${value}`;
  // Per slice and day, the day's count is repeated on each version's row: only the first counts.
  const n =
    f.version === undefined
      ? sql`CASE WHEN row_number() OVER (PARTITION BY fingerprint, day, license_type, country ORDER BY version) = 1
          THEN day_installations ELSE 0 END`
      : sql`installations`;
  return sql`SELECT fingerprint, day, version, NULL AS type, NULL AS message, occurrences, crashes, NULL AS firstAt, NULL AS lastAt, ${n} AS n
    FROM ${rollupExceptionSlices} WHERE product = ${s.product} AND day BETWEEN ${s.from} AND ${s.to}${ofFp}${eq("version", f.version)}${eq("license_type", f.licenseType)}${eq("country", f.country)}`;
}

/**
 * Exception groups over the range (top 100 by occurrences), under the filter (exceptionRowsSql).
 * installationDays counts an installation once per fingerprint and day (rows built before
 * day_installations existed fall back to their per-version count). All-time first/last seen
 * (server receive times) and the type and message of the latest report, the group's identity,
 * come from a second query, unfiltered.
 */
export async function exceptionGroups(db: Db, s: Slice, f: CubeFilter = {}) {
  const groups = await guard("statsExceptions", () =>
    db.all<{
      fingerprint: string;
      occurrences: number;
      crashes: number;
      installationDays: number;
      versions: string;
    }>(sql`
      WITH r AS (${exceptionRowsSql(s, f)})
      SELECT fingerprint, sum(occurrences) AS occurrences, sum(crashes) AS crashes, sum(n) AS installationDays,
        json_group_array(DISTINCT version) AS versions
      FROM r GROUP BY fingerprint ORDER BY sum(occurrences) DESC, fingerprint LIMIT 100`),
  );
  if (groups.length === 0) return [];
  // The fingerprints travel as ONE JSON parameter.
  const fps = JSON.stringify(groups.map((g) => g.fingerprint));
  const seen = await guard("statsExceptionsSeen", () =>
    db.all<{ fingerprint: string; first: number; last: number; type: string; message: string | null }>(sql`
      SELECT fingerprint, first, last, type, message FROM (
        SELECT fingerprint, type, message, min(first_at) OVER w AS first, max(last_at) OVER w AS last,
          row_number() OVER (PARTITION BY fingerprint ORDER BY last_at DESC, day DESC, version DESC) AS rn
        FROM ${rollupExceptions}
        WHERE product = ${s.product} AND fingerprint IN (SELECT value FROM json_each(${fps}))
        WINDOW w AS (PARTITION BY fingerprint)) WHERE rn = 1`),
  );
  const byFp = new Map(seen.map((r) => [r.fingerprint, r]));
  return groups.map((g) => ({ ...g, versions: JSON.parse(g.versions) as string[], seen: byFp.get(g.fingerprint)! }));
}

/** Release health rows (Sentry sessions per version and day), of one version when given. */
export async function sessionRows(db: Db, s: Slice, version?: string) {
  return guard("statsSessions", () =>
    db
      .select()
      .from(rollupSessions)
      .where(
        and(
          eq(rollupSessions.product, s.product),
          between(rollupSessions.day, s.from, s.to),
          version === undefined ? undefined : eq(rollupSessions.version, version),
        ),
      ),
  );
}

export async function latestRelease(db: Db, product: string): Promise<string | null> {
  const rows = await guard("statsRelease", () =>
    db.select({ version: releases.version }).from(releases).where(eq(releases.product, product)),
  );
  return rows[0]?.version ?? null;
}

/**
 * A product's releases, oldest first: its release history, plus the current release when the
 * history lacks it (set before the history existed), at the time it was last set.
 */
export async function productReleases(db: Db, product: string) {
  return guard("statsReleases", () =>
    db.all<{ version: string; releasedAt: number }>(sql`
      SELECT version, released_at AS releasedAt FROM ${releaseHistory} WHERE product = ${product}
      UNION ALL
      SELECT r.version, r.updated_at FROM ${releases} r WHERE r.product = ${product}
        AND NOT EXISTS (SELECT 1 FROM ${releaseHistory} h WHERE h.product = r.product AND h.version = r.version)
      ORDER BY releasedAt, version`),
  );
}

/** Every version each fingerprint was ever reported on (all time, through the (product, fingerprint) index). */
export async function exceptionVersions(db: Db, product: string, fingerprints: string[]) {
  if (fingerprints.length === 0) return new Map<string, string[]>();
  const rows = await guard("statsExceptionVersions", () =>
    db.all<{ fingerprint: string; versions: string }>(sql`
      SELECT fingerprint, json_group_array(DISTINCT version) AS versions FROM ${rollupExceptions}
      WHERE product = ${product} AND fingerprint IN (SELECT value FROM json_each(${JSON.stringify(fingerprints)}))
      GROUP BY fingerprint`),
  );
  return new Map(rows.map((r) => [r.fingerprint, JSON.parse(r.versions) as string[]]));
}

/** Products with rollups of pings, frontend events or Sentry sessions (first and last day), and their latest release. */
export async function productList(db: Db) {
  return guard("statsProducts", () =>
    db.all<{ product: string; firstDay: string; lastDay: string; latest: string | null }>(sql`
      SELECT d.product AS product, min(d.day) AS firstDay, max(d.day) AS lastDay, r.version AS latest
      FROM (SELECT product, day FROM ${rollupActive} UNION ALL SELECT product, day FROM ${rollupFrontend}
        UNION ALL SELECT product, day FROM ${rollupSessions}) d
      LEFT JOIN ${releases} r ON r.product = d.product
      GROUP BY d.product ORDER BY d.product`),
  );
}

/**
 * Version adoption straight from raw pings (benchmark/cross-check only): the same numbers as the
 * 'version' rollup, recomputed over every raw ping in the range.
 */
export async function rawVersionRows(db: Db, s: Slice, f: CubeFilter = {}): Promise<DimRow[]> {
  const only = (column: SQL, value: string | undefined) =>
    value === undefined ? sql`` : sql` AND coalesce(${column}, '') = ${value}`;
  return guard("statsRawVersions", () =>
    db.all<DimRow>(sql`WITH latest AS (
        SELECT ${pings.day} AS day, ${pings.version} AS version, ${pings.licenseType} AS license_type, ${pings.country} AS country,
          row_number() OVER (PARTITION BY ${pings.day}, ${pings.instanceId} ORDER BY ${pings.receivedAt} DESC, ${pings.uuid} DESC) AS rn
        FROM ${pings} WHERE ${pings.product} = ${s.product} AND ${pings.day} BETWEEN ${s.from} AND ${s.to})
      SELECT day, '' AS key, coalesce(version, '') AS value, count(*) AS installations
      FROM latest WHERE rn = 1${only(sql`version`, f.version)}${only(sql`license_type`, f.licenseType)}${only(sql`country`, f.country)}
      GROUP BY day, value`),
  );
}
