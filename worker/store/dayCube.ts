import { and, eq, lte, sql, type SQL } from "drizzle-orm";
import { rollupActive, rollupCube } from "../../schema/tables";
import type { Db } from "./db";
import { cubeKey, cubeSql } from "./rollupSql";

/**
 * The breakdown cube (rollup_cube) of the day a ping is stored for, kept current by the ping's own
 * transaction (store/pings.ts pingWrites) exactly as store/dayDims.ts keeps the simple dims: an
 * installation counts once per day under its last ping's (version, licence type, country, OS
 * type, arch), which instance_activity keeps as its state; a newer ping of the day moves the
 * installation's count from the old combination to its own. So filtered figures of today are
 * as fresh as unfiltered ones. The order contract is dayDims': ensureDayCube before
 * ensureActiveDay, the moves after the ping insert and before recordActivity.
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

/** The stored ping `p` is newer than the state of its installation's activity row `a` (dayDims' rule). */
const newerThanState = sql`(a.last_day < p.day OR (a.last_day = p.day AND (a.state_at < p.received_at
    OR (a.state_at = p.received_at AND a.state_uuid < p.uuid))))`;

/** The day's first ping of the product (no rollup_active row yet): the cube's baseline from the day's pings so far. */
export function ensureDayCube(db: Db, product: string, day: string, allowed: SQL) {
  const missing = sql`NOT EXISTS (SELECT 1 FROM ${rollupActive} WHERE ${rollupActive.product} = ${product}
    AND ${rollupActive.day} = ${day}) AND ${allowed}`;
  return db
    .insert(rollupCube)
    .select(cubeSql({ d: day }, product, missing))
    .onConflictDoUpdate({ target: cubeTarget, set: { installations: sql`excluded.installations` } });
}

/** The cube row of the installation's previous combination of the day, when the stored ping is of that day and newer: one primary-key seek. */
function previousRow(pingUuid: string, instanceId: string, product: string, day: string): SQL {
  return and(
    eq(rollupCube.product, product),
    eq(rollupCube.day, day),
    sql`(${rollupCube.version}, ${rollupCube.licenseType}, ${rollupCube.country}, ${rollupCube.osType}, ${rollupCube.osArch}) IN (
      SELECT ${cubeKey(sql.raw("a"))}
      FROM instance_activity a, pings p
      WHERE a.instance_id = ${instanceId} AND a.product = ${product} AND a.last_day = ${day}
        AND p.uuid = ${pingUuid} AND p.day = ${day} AND ${newerThanState})`,
  )!;
}

/** The installation's previous combination of the day, minus one, when the stored ping is newer than its state. */
export function cubeMoveOut(db: Db, pingUuid: string, instanceId: string, product: string, day: string) {
  return db
    .update(rollupCube)
    .set({ installations: sql`${rollupCube.installations} - 1` })
    .where(previousRow(pingUuid, instanceId, product, day));
}

/** The stored ping's combination, plus one, when no state of its installation is at or after it. */
export function cubeMoveIn(db: Db, pingUuid: string) {
  return db
    .insert(rollupCube)
    .select(
      sql`SELECT p.product, p.day, ${cubeKey(sql.raw("p"))}, 1
        FROM pings p
        WHERE p.uuid = ${pingUuid} AND NOT EXISTS (SELECT 1 FROM instance_activity a
          WHERE a.instance_id = p.instance_id AND a.product = p.product AND NOT ${newerThanState})`,
    )
    .onConflictDoUpdate({ target: cubeTarget, set: { installations: sql`${rollupCube.installations} + 1` } });
}

/** The combination just moved out of, when no installation holds it any more (the cron would not have it). */
export function cubeDropEmpty(db: Db, pingUuid: string, instanceId: string, product: string, day: string) {
  return db
    .delete(rollupCube)
    .where(and(previousRow(pingUuid, instanceId, product, day), lte(rollupCube.installations, 0)));
}
