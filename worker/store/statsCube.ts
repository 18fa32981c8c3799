import { and, between, eq, sql, type SQL } from "drizzle-orm";
import { rollupCube } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { CubeFilter, DimRow, Slice } from "./stats";

/**
 * Reads of the breakdown cube (rollup_cube): the filtered figures. Every query is bounded by
 * (product, day BETWEEN from AND to), a prefix of the cube's primary key; the filters are
 * equality tests on the rows of that slice ('' = unknown, as stored).
 */
function where(s: Slice, f: CubeFilter): SQL {
  return and(
    eq(rollupCube.product, s.product),
    between(rollupCube.day, s.from, s.to),
    f.version === undefined ? undefined : eq(rollupCube.version, f.version),
    f.licenseType === undefined ? undefined : eq(rollupCube.licenseType, f.licenseType),
    f.country === undefined ? undefined : eq(rollupCube.country, f.country),
  )!;
}

/** Filtered installations per day (key '' , value ''): active-1 under a filter. */
export async function cubeDays(db: Db, s: Slice, f: CubeFilter): Promise<DimRow[]> {
  return guard("statsCubeDays", () =>
    db
      .select({
        day: rollupCube.day,
        key: sql<string>`''`,
        value: sql<string>`''`,
        installations: sql<number>`sum(${rollupCube.installations})`,
      })
      .from(rollupCube)
      .where(where(s, f))
      .groupBy(rollupCube.day),
  );
}

/** Filtered installations per version and day: the versions answer under a filter (same rows as the 'version' dim). */
export async function cubeVersions(db: Db, s: Slice, f: CubeFilter): Promise<DimRow[]> {
  return guard("statsCubeVersions", () =>
    db
      .select({
        day: rollupCube.day,
        key: sql<string>`''`,
        value: rollupCube.version,
        installations: sql<number>`sum(${rollupCube.installations})`,
      })
      .from(rollupCube)
      .where(where(s, f))
      .groupBy(rollupCube.day, rollupCube.version),
  );
}

export interface DistributionRow {
  dim: string;
  key: string;
  value: string;
  /** Installations on the `asOf` day, and installation-days over the range. */
  onDay: number;
  n: number;
}

/**
 * Filtered distributions in one query: the slice is first summed per combination of the
 * distribution fields (versions and days folded: a few hundred rows), then each combination is
 * counted under each of its dimensions (a cross join with the dimension names, as the rollup
 * does; `v`, not `value`: json_each has a `value` column of its own). Installations on `asOf`
 * and installation-days over the range. Unknown OS parts read '?' in `os`, as in rollup_dims.
 */
export async function cubeDistributions(db: Db, s: Slice, f: CubeFilter, asOf: string): Promise<DistributionRow[]> {
  return guard("statsCubeDistributions", () =>
    db.all<DistributionRow>(sql`WITH c AS (
        SELECT ${rollupCube.osType} AS os_type, ${rollupCube.osArch} AS os_arch, ${rollupCube.licenseType} AS license_type,
          ${rollupCube.country} AS country,
          total(CASE WHEN ${rollupCube.day} = ${asOf} THEN ${rollupCube.installations} END) AS onDay,
          total(${rollupCube.installations}) AS n
        FROM ${rollupCube} WHERE ${where(s, f)}
        GROUP BY 1, 2, 3, 4)
      SELECT dim, '' AS key, v AS value, onDay, n FROM (
        SELECT k.value AS dim,
          CASE k.value
            WHEN 'os_type' THEN c.os_type
            WHEN 'os_arch' THEN c.os_arch
            WHEN 'os' THEN (CASE c.os_type WHEN '' THEN '?' ELSE c.os_type END) || '/' || (CASE c.os_arch WHEN '' THEN '?' ELSE c.os_arch END)
            WHEN 'license' THEN c.license_type
            ELSE c.country END AS v,
          total(c.onDay) AS onDay, total(c.n) AS n
        FROM c, json_each('["os_type","os_arch","os","license","country"]') k
        GROUP BY dim, v)`),
  );
}
