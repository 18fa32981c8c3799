import { sql, type SQL } from "drizzle-orm";
import { instanceActivity, pingsIncoming, rollupActive, rollupDims } from "../../schema/tables";
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
 * The moves are set-based, over the ping writer's stage (store/pings.ts pingWrites): its fresh rows
 * are the pings the round stores, at most one per installation. Order in the transaction:
 * ensureDayDims before ensureActiveDay (it keys on that row being missing), then the ping
 * insert, then moveOut, moveIn, dropEmpty, then the activity merge (they read the
 * installations' states before the round). A refused, duplicate or redelivered ping is not
 * fresh and changes nothing. A late ping (its installation has a newer day) leaves the dims
 * alone: its day is corrected by the cron when it is one of the recent days.
 */

/**
 * A fresh staged ping `s` (store/pings.ts pingWrites: the round's pings, one per installation) is newer
 * than the state of its installation's activity row `a`.
 */
export const stagedNewerThanState = sql`(a.last_day < s.day OR (a.last_day = s.day AND (a.state_at < s.received_at
    OR (a.state_at = s.received_at AND a.state_uuid < s.uuid))))`;

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
 * Per (product, day, dim, value): the fresh staged pings whose installation's previous values of
 * the ping's day (its activity state) are that value, when the ping is newer than the state.
 */
const previousValues = sql`SELECT s.product AS product, s.day AS day, k.value AS dim,
    ${dimValue(sql`k.value`, dimColumns("a"))} AS value, count(*) AS n
  FROM ${pingsIncoming} s JOIN ${instanceActivity} a ON a.instance_id = s.instance_id AND a.product = s.product
    AND a.last_day = s.day, ${eachSimpleDim("k")}
  WHERE s.fresh = 1 AND ${stagedNewerThanState} GROUP BY 1, 2, 3, 4`;

/**
 * The staged installations' previous values of the day, minus their number, where the staged
 * ping is newer than the state. No bound parameter (a raw statement drizzle batches).
 */
export function moveOut(db: Db) {
  return db.run(sql`UPDATE ${rollupDims} SET installations = installations - m.n FROM (${previousValues}) m
    WHERE ${rollupDims}.product = m.product AND ${rollupDims}.day = m.day AND ${rollupDims}.key = ''
      AND ${rollupDims}.dim = m.dim AND ${rollupDims}.value = m.value`);
}

/** The staged pings' values, plus their number, where no state of their installation is at or after them. */
export function moveIn(db: Db) {
  return db.run(sql`INSERT INTO ${rollupDims} (product, day, dim, key, value, installations)
    SELECT s.product, s.day, k.value, '', ${dimValue(sql`k.value`, dimColumns("s"))} AS v, count(*)
    FROM ${pingsIncoming} s, ${eachSimpleDim("k")}
    WHERE s.fresh = 1 AND NOT EXISTS (SELECT 1 FROM ${instanceActivity} a
      WHERE a.instance_id = s.instance_id AND a.product = s.product AND NOT ${stagedNewerThanState})
    GROUP BY s.product, s.day, k.value, v
    ON CONFLICT (product, dim, day, key, value) DO UPDATE SET installations = installations + excluded.installations`);
}

/**
 * The values just moved out of, when no installation holds them any more (the cron would not
 * have them). Run after moveIn and before the activity merge: the state is still the previous one.
 */
export function dropEmpty(db: Db) {
  return db.run(sql`DELETE FROM ${rollupDims} WHERE installations <= 0 AND "key" = ''
    AND (product, day, dim, value) IN (SELECT product, day, dim, value FROM (${previousValues}))`);
}
