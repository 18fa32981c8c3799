import { and, between, desc, eq, inArray, sql } from "drizzle-orm";
import { pings, releases, rollupActive, rollupDims, rollupExceptions, rollupMetrics } from "../../schema/tables";
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

export async function activeRows(db: Db, s: Slice) {
  return guard("statsActive", () =>
    db.select().from(rollupActive)
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
    db.select({ day: rollupDims.day, key: rollupDims.key, value: rollupDims.value, installations: rollupDims.installations })
      .from(rollupDims)
      .where(and(eq(rollupDims.product, s.product), between(rollupDims.day, s.from, s.to), eq(rollupDims.dim, dim))),
  );
}

/** Installation-days per (dim, key, value) over the range, summed in D1. */
export async function dimTotals(db: Db, s: Slice, dims: string[]) {
  return guard("statsDimTotals", () =>
    db.select({ dim: rollupDims.dim, key: rollupDims.key, value: rollupDims.value, n: sql<number>`sum(${rollupDims.installations})` })
      .from(rollupDims)
      .where(and(eq(rollupDims.product, s.product), between(rollupDims.day, s.from, s.to), inArray(rollupDims.dim, dims)))
      .groupBy(rollupDims.dim, rollupDims.key, rollupDims.value),
  );
}

export async function metricRows(db: Db, s: Slice) {
  return guard("statsMetrics", () =>
    db.select().from(rollupMetrics)
      .where(and(eq(rollupMetrics.product, s.product), between(rollupMetrics.day, s.from, s.to))),
  );
}

/** Exception groups over the range (top 100 by occurrences), with all-time first/last seen. */
export async function exceptionGroups(db: Db, s: Slice) {
  const groups = await guard("statsExceptions", () =>
    db.select({
      fingerprint: rollupExceptions.fingerprint,
      type: sql<string>`max(${rollupExceptions.type})`,
      occurrences: sql<number>`sum(${rollupExceptions.occurrences})`,
      installationDays: sql<number>`sum(${rollupExceptions.installations})`,
      versions: sql<string>`json_group_array(DISTINCT ${rollupExceptions.version})`,
    })
      .from(rollupExceptions)
      .where(and(eq(rollupExceptions.product, s.product), between(rollupExceptions.day, s.from, s.to)))
      .groupBy(rollupExceptions.fingerprint)
      .orderBy(desc(sql`sum(${rollupExceptions.occurrences})`), rollupExceptions.fingerprint)
      .limit(100),
  );
  if (groups.length === 0) return [];
  // All-time first/last seen and the latest message; the fingerprints travel as ONE JSON parameter.
  const fps = JSON.stringify(groups.map((g) => g.fingerprint));
  const seen = await guard("statsExceptionsSeen", () =>
    db.all<{ fingerprint: string; first: number; last: number; message: string | null }>(sql`
      SELECT o.fingerprint AS fingerprint, min(o.first_at) AS first, max(o.last_at) AS last,
        (SELECT r.message FROM rollup_exceptions r WHERE r.product = o.product AND r.fingerprint = o.fingerprint
          ORDER BY r.last_at DESC LIMIT 1) AS message
      FROM rollup_exceptions o
      WHERE o.product = ${s.product} AND o.fingerprint IN (SELECT value FROM json_each(${fps}))
      GROUP BY o.fingerprint`),
  );
  const byFp = new Map(seen.map((r) => [r.fingerprint, r]));
  return groups.map((g) => ({ ...g, versions: JSON.parse(g.versions) as string[], seen: byFp.get(g.fingerprint)! }));
}

export async function latestRelease(db: Db, product: string): Promise<string | null> {
  const rows = await guard("statsRelease", () =>
    db.select({ version: releases.version }).from(releases).where(eq(releases.product, product)),
  );
  return rows[0]?.version ?? null;
}

/** Products with rollups (first and last day) and their latest release. */
export async function productList(db: Db) {
  return guard("statsProducts", () =>
    db.select({
      product: rollupActive.product,
      firstDay: sql<string>`min(${rollupActive.day})`,
      lastDay: sql<string>`max(${rollupActive.day})`,
      latest: releases.version,
    })
      .from(rollupActive)
      .leftJoin(releases, eq(releases.product, rollupActive.product))
      .groupBy(rollupActive.product)
      .orderBy(rollupActive.product),
  );
}

/**
 * Version adoption straight from raw pings (benchmark/cross-check only): the same numbers as the
 * 'version' rollup, recomputed over every raw ping in the range.
 */
export async function rawVersionRows(db: Db, s: Slice): Promise<DimRow[]> {
  return guard("statsRawVersions", () =>
    db.all<DimRow>(sql`WITH latest AS (
        SELECT ${pings.day} AS day, ${pings.version} AS version,
          row_number() OVER (PARTITION BY ${pings.day}, ${pings.instanceId} ORDER BY ${pings.receivedAt} DESC, ${pings.uuid} DESC) AS rn
        FROM ${pings} WHERE ${pings.product} = ${s.product} AND ${pings.day} BETWEEN ${s.from} AND ${s.to})
      SELECT day, '' AS key, coalesce(version, '') AS value, count(*) AS installations
      FROM latest WHERE rn = 1 GROUP BY day, value`),
  );
}
