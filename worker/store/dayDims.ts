import { and, eq, lte, sql, type SQL } from "drizzle-orm";
import { rollupActive, rollupDims } from "../../schema/tables";
import type { Db } from "./db";
import { dimColumns, dimsSql, dimValue, eachSimpleDim } from "./rollupSql";

/**
 * The simple dimensions (version, OS, arch, licence, country) of rollup_dims for the day a ping
 * is stored for, kept current by the ping's own transaction (store/pings.ts pingWrites), so the
 * version chart of today is fresh without a cron run. An installation counts once per day, by
 * its last ping of the day (latest received_at, then uuid): instance_activity keeps that ping's
 * values (its state on last_day), and a newer ping of the day moves the installation's count
 * from the old values to its own. Runtimes and facts stay with the cron.
 *
 * Order in the transaction: ensureDayDims before ensureActiveDay (it keys on that row being
 * missing), then the ping insert, then moveOut, moveIn, dropEmpty, then recordActivity (they
 * read the installation's state before this ping). Each reads the STORED ping row, so a
 * refused ping (no row) changes nothing, and a redelivered one finds the state already at
 * itself and changes nothing either. A late ping (its installation has a newer day) leaves the
 * dims alone: its day is corrected by the cron when it is one of the recent days.
 */

/** The stored ping `pingUuid` is newer than the state of its installation's activity row `a`. */
function newerThanState(): SQL {
  return sql`(a.last_day < p.day OR (a.last_day = p.day AND (a.state_at < p.received_at
    OR (a.state_at = p.received_at AND a.state_uuid < p.uuid))))`;
}

/**
 * The day's first ping of the product (no rollup_active row yet): the dims baseline from the
 * day's pings so far, each installation by its last ping (the cron's SQL, for one product). Not
 * evaluated when the row exists (a constant WHERE false).
 */
export function ensureDayDims(db: Db, product: string, day: string, allowed: SQL) {
  const missing = sql`NOT EXISTS (SELECT 1 FROM ${rollupActive} WHERE ${rollupActive.product} = ${product}
    AND ${rollupActive.day} = ${day}) AND ${allowed}`;
  return db
    .insert(rollupDims)
    .select(dimsSql({ d: day }, product, missing))
    .onConflictDoUpdate({
      target: [rollupDims.product, rollupDims.dim, rollupDims.day, rollupDims.key, rollupDims.value],
      set: { installations: sql`excluded.installations` },
    });
}

/**
 * The rollup_dims rows of the installation's previous values of the day (its activity state),
 * when the stored ping is of that day and newer than the state: primary-key seeks, six at most.
 */
function previousValues(pingUuid: string, instanceId: string, product: string, day: string): SQL {
  return and(
    eq(rollupDims.product, product),
    eq(rollupDims.day, day),
    eq(rollupDims.key, ""),
    sql`(${rollupDims.dim}, ${rollupDims.value}) IN (
      SELECT k.value, ${dimValue(sql`k.value`, dimColumns("a"))}
      FROM instance_activity a, pings p, ${eachSimpleDim("k")}
      WHERE a.instance_id = ${instanceId} AND a.product = ${product} AND a.last_day = ${day}
        AND p.uuid = ${pingUuid} AND p.day = ${day} AND ${newerThanState()})`,
  )!;
}

/** The installation's previous values of the day, minus one, when the stored ping is newer than its state. */
export function moveOut(db: Db, pingUuid: string, instanceId: string, product: string, day: string) {
  return db
    .update(rollupDims)
    .set({ installations: sql`${rollupDims.installations} - 1` })
    .where(previousValues(pingUuid, instanceId, product, day));
}

/** The stored ping's values, plus one, when no state of its installation is at or after it. */
export function moveIn(db: Db, pingUuid: string) {
  return db
    .insert(rollupDims)
    .select(
      sql`SELECT p.product, p.day, k.value, '', ${dimValue(sql`k.value`, dimColumns("p"))}, 1
        FROM pings p, ${eachSimpleDim("k")}
        WHERE p.uuid = ${pingUuid} AND NOT EXISTS (SELECT 1 FROM instance_activity a
          WHERE a.instance_id = p.instance_id AND a.product = p.product AND NOT ${newerThanState()})`,
    )
    .onConflictDoUpdate({
      target: [rollupDims.product, rollupDims.dim, rollupDims.day, rollupDims.key, rollupDims.value],
      set: { installations: sql`${rollupDims.installations} + 1` },
    });
}

/**
 * The values just moved out of, when no installation holds them any more (the cron would not
 * have them). Run after moveIn and before recordActivity: the state is still the previous one.
 */
export function dropEmpty(db: Db, pingUuid: string, instanceId: string, product: string, day: string) {
  return db
    .delete(rollupDims)
    .where(and(previousValues(pingUuid, instanceId, product, day), lte(rollupDims.installations, 0)));
}
