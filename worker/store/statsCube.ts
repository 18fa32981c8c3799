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
 * Filtered distributions in one query: each cube row is read once and counted under each of its
 * dimensions (a cross join with the dimension names, as the rollup does; `v`, not `value`,
 * inside: json_each has a `value` column of its own), installations on
 * `asOf` and installation-days over the range. Unknown OS parts read '?' in `os`, as in rollup_dims.
 */
export async function cubeDistributions(db: Db, s: Slice, f: CubeFilter, asOf: string): Promise<DistributionRow[]> {
  return guard("statsCubeDistributions", () =>
    db.all<DistributionRow>(sql`SELECT dim, key, v AS value, onDay, n FROM (
      SELECT k.value AS dim, '' AS key,
        CASE k.value
          WHEN 'os_type' THEN rollup_cube.os_type
          WHEN 'os_arch' THEN rollup_cube.os_arch
          WHEN 'os' THEN (CASE rollup_cube.os_type WHEN '' THEN '?' ELSE rollup_cube.os_type END) || '/' || (CASE rollup_cube.os_arch WHEN '' THEN '?' ELSE rollup_cube.os_arch END)
          WHEN 'license' THEN rollup_cube.license_type
          ELSE rollup_cube.country END AS v,
        total(CASE WHEN rollup_cube.day = ${asOf} THEN rollup_cube.installations END) AS onDay, total(rollup_cube.installations) AS n
      FROM ${rollupCube}, json_each('["os_type","os_arch","os","license","country"]') k
      WHERE ${where(s, f)}
      GROUP BY dim, v)`),
  );
}
