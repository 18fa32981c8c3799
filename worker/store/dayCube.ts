import { sql, type SQL } from "drizzle-orm";
import { instanceActivity, pingsIncoming, rollupActive, rollupCube } from "../../schema/tables";
import { stagedNewerThanState } from "./dayDims";
import type { Db } from "./db";
import { cubeKey, cubeSql } from "./rollupSql";

/**
 * The breakdown cube (rollup_cube) of the day a ping is stored for, kept current by the ping's own
 * transaction (store/pings.ts pingWrites, set-based over its stage) exactly as store/dayDims.ts keeps the simple dims: an
 * installation counts once per day under its last ping's (version, licence type, country, OS
 * type, arch), which instance_activity keeps as its state; a newer ping of the day moves the
 * installation's count from the old combination to its own. So filtered figures of today are
 * as fresh as unfiltered ones. The order contract is dayDims': ensureDayCube before
 * ensureActiveDay, the moves after the ping insert and before the activity merge.
 */

const cubeTarget = [
  rollupCube.product,
  rollupCube.day,
  rollupCube.version,
  rollupCube.licenseType,
  rollupCube.country,
  rollupCube.osType,
  rollupCube.osArch,
];

/** The day's first ping of the product (no rollup_active row yet): the cube's baseline from the day's pings so far. */
export function ensureDayCube(db: Db, product: string, day: string, allowed: SQL) {
  const missing = sql`NOT EXISTS (SELECT 1 FROM ${rollupActive} WHERE ${rollupActive.product} = ${product}
    AND ${rollupActive.day} = ${day}) AND ${allowed}`;
  return db
    .insert(rollupCube)
    .select(cubeSql({ d: day }, product, missing))
    .onConflictDoUpdate({ target: cubeTarget, set: { installations: sql`excluded.installations` } });
}

/** rollup_cube's key columns after (product, day), in cubeKey's order. */
const CUBE_COLUMNS = ["version", "license_type", "country", "os_type", "os_arch"] as const;

/** The cube key of a pings-shaped row alias, as named columns of a subquery ('' = unknown, cubeKey's values). */
const namedKey = (alias: string) => sql.raw(CUBE_COLUMNS.map((c) => `coalesce(${alias}.${c}, '') AS ${c}`).join(", "));

/**
 * Per cube combination: the fresh staged pings (store/pings.ts pingWrites) whose installation's previous
 * combination of the ping's day (its activity state) it is, when the ping is newer than the state.
 */
const previousRows = sql`SELECT s.product AS product, s.day AS day, ${namedKey("a")}, count(*) AS n
  FROM ${pingsIncoming} s JOIN ${instanceActivity} a ON a.instance_id = s.instance_id AND a.product = s.product
    AND a.last_day = s.day
  WHERE s.fresh = 1 AND ${stagedNewerThanState} GROUP BY 1, 2, 3, 4, 5, 6, 7`;

/** `t.version = m.version AND ...` over the cube key. */
const keyEqual = (t: string, m: string) => sql.raw(CUBE_COLUMNS.map((c) => `${t}.${c} = ${m}.${c}`).join(" AND "));

/** The staged installations' previous combinations of the day, minus their number (no bound parameter). */
export function cubeMoveOut(db: Db) {
  return db.run(sql`UPDATE ${rollupCube} SET installations = installations - m.n FROM (${previousRows}) m
    WHERE rollup_cube.product = m.product AND rollup_cube.day = m.day AND ${keyEqual("rollup_cube", "m")}`);
}

/** The staged pings' combinations, plus their number, where no state of their installation is at or after them. */
export function cubeMoveIn(db: Db) {
  return db.run(sql`INSERT INTO ${rollupCube} (product, day, ${sql.raw(CUBE_COLUMNS.join(", "))}, installations)
    SELECT s.product, s.day, ${cubeKey(sql.raw("s"))}, count(*)
    FROM ${pingsIncoming} s
    WHERE s.fresh = 1 AND NOT EXISTS (SELECT 1 FROM ${instanceActivity} a
      WHERE a.instance_id = s.instance_id AND a.product = s.product AND NOT ${stagedNewerThanState})
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (product, day, ${sql.raw(CUBE_COLUMNS.join(", "))}) DO UPDATE SET installations = installations + excluded.installations`);
}

/** The combinations just moved out of, when no installation holds them any more (the cron would not have them). */
export function cubeDropEmpty(db: Db) {
  return db.run(sql`DELETE FROM ${rollupCube} WHERE installations <= 0
    AND (product, day, ${sql.raw(CUBE_COLUMNS.join(", "))}) IN (SELECT product, day, ${sql.raw(CUBE_COLUMNS.join(", "))} FROM (${previousRows}))`);
}
