import { and, eq, sql, type SQL } from "drizzle-orm";
import { instanceActivity, pings, pingsIncoming, rollupActive } from "../../schema/tables";
import { ACTIVITY_MASK } from "../lib/activityMask";
import { addDays } from "../lib/time";
import type { Db } from "./db";
import type { DayWindow } from "./dayWindow";

/**
 * instance_activity in SQL: the merge every stored ping applies, the window test the rollups
 * count with, and the incremental upkeep of rollup_active. worker/lib/activityMask.ts is the
 * same logic as pure functions (the specification the tests hold this SQL to).
 */

/** The mask as a literal (62 bits: more than a JS number, so never a bound parameter). */
const MASK = sql.raw(ACTIVITY_MASK.toString());

/** Whole days from `earlier` to `later` (TEXT days, YYYY-MM-DD). */
function gap(later: SQL, earlier: SQL): SQL {
  return sql`CAST(julianday(${later}) - julianday(${earlier}) AS INTEGER)`;
}

/** Columns of an activity row in a statement (a table alias, or the table itself). */
export interface ActivityColumns {
  lastDay: SQL;
  seen: SQL;
}
export const activityOf = (alias: string): ActivityColumns => ({
  lastDay: sql.raw(`${alias}.last_day`),
  seen: sql.raw(`${alias}.seen`),
});

/**
 * 1 when the row's installation pinged in the `n` days ending with `d` (n in 1..30), else 0:
 * before its last day, by the last day alone; otherwise by the n bits of the mask that cover the
 * window (a shift past the mask gives 0: days beyond its reach count as not seen).
 * lib/activityMask.ts inWindow. `d` is a day, or a column holding one (the ping writer's stage).
 */
export function inWindowSql(r: ActivityColumns, d: string | SQL, n: number): SQL {
  const day = typeof d === "string" ? sql`${d}` : d;
  const from = typeof d === "string" ? sql`${addDays(d, -(n - 1))}` : sql`date(${d}, ${sql.raw(`'-${n - 1} days'`)})`;
  return sql`(CASE WHEN ${r.lastDay} < ${day} THEN ${r.lastDay} >= ${from}
    ELSE ((${r.seen} >> ${gap(r.lastDay, day)}) & ${sql.raw(String(2 ** n - 1))}) <> 0 END)`;
}

/** The activity state columns, in the table's order after `seen`, with their values in `pings`. */
const stateColumns = [
  ["state_at", "received_at"],
  ["state_uuid", "uuid"],
  ["version", "version"],
  ["license_type", "license_type"],
  ["country", "country"],
  ["os_type", "os_type"],
  ["os_arch", "os_arch"],
] as const;

/**
 * In an upsert of instance_activity: the incoming ping is the installation's newest state (a
 * later day, or the same day and a later (received_at, uuid), as the rollups' "last ping of the
 * day" orders them). The backfill migration repeats it.
 */
const NEWER_STATE = `(excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
  OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid))))`;

/**
 * Pings merged into their installations' activity (one upsert; lib/activityMask.ts
 * mergeActivity). `source`: a FROM clause with a WHERE over pings-shaped rows (the stored
 * pings, or the ping writer's stage of fresh rows), at most one row per (instance, product), or
 * rows merged in any order: a merge is order-independent (a late ping sets its bit behind
 * last_day). The state columns take a row's values when it is the newest state (store/dayDims.ts).
 */
export function mergeActivity(db: Db, source: SQL) {
  const newest = sql`max(${instanceActivity.lastDay}, excluded.last_day)`;
  const state = Object.fromEntries(
    stateColumns.map(([column]) => [
      column,
      sql.raw(`CASE WHEN ${NEWER_STATE} THEN excluded.${column} ELSE ${column} END`),
    ]),
  );
  return db
    .insert(instanceActivity)
    .select(
      sql`SELECT instance_id, product, day, 1, ${sql.raw(stateColumns.map(([, from]) => from).join(", "))} FROM ${source}`,
    )
    .onConflictDoUpdate({
      target: [instanceActivity.instanceId, instanceActivity.product],
      set: {
        lastDay: newest,
        seen: sql`((${instanceActivity.seen} << ${gap(newest, sql`${instanceActivity.lastDay}`)})
          | (excluded.seen << ${gap(newest, sql`excluded.last_day`)})) & ${MASK}`,
        stateAt: state.state_at,
        stateUuid: state.state_uuid,
        version: state.version,
        licenseType: state.license_type,
        country: state.country,
        osType: state.os_type,
        osArch: state.os_arch,
      },
    });
}

/** The stored ping `pingUuid` merged into its installation's activity (seeds and backfills of stored pings). */
export function recordActivity(db: Db, pingUuid: string) {
  return mergeActivity(db, sql`${pings} WHERE ${pings.uuid} = ${pingUuid}`);
}

/** The ping writer's fresh staged rows (one per installation in a round) merged into the activity. */
export function mergeStagedActivity(db: Db) {
  return mergeActivity(db, sql`${pingsIncoming} WHERE fresh = 1`);
}

/** Installations of `product` active in the n days to `d`: a range read of (product, last_day). */
function countActive(product: string, d: string, n: number): SQL {
  return sql`(SELECT count(*) FROM ${instanceActivity} a INDEXED BY instance_activity_product_last_day
    WHERE a.product = ${product} AND a.last_day >= ${addDays(d, -(n - 1))} AND ${inWindowSql(activityOf("a"), d, n)})`;
}

/**
 * Makes sure rollup_active has the (product, day) row a ping is about to count into. Only when
 * the row is missing (the day's first ping of the product) is the baseline computed: active-N from
 * instance_activity (three range reads) and the day's pings so far (pings_day). The counts are
 * scalar subqueries of a FROM-less SELECT whose WHERE fails when the row exists, so they are not
 * evaluated then (test/worker/activity.test.ts measures D1 rows_read: a constant probe). `allowed` (the
 * installation-key check) is ANDed in: a refused ping writes nothing.
 */
export function ensureActiveDay(db: Db, product: string, day: string, allowed: SQL) {
  return db
    .insert(rollupActive)
    .select(
      sql`SELECT ${product}, ${day}, ${countActive(product, day, 1)}, ${countActive(product, day, 7)},
        ${countActive(product, day, 30)},
        (SELECT count(*) FROM ${pings} WHERE ${pings.day} = ${day} AND ${pings.product} = ${product})
      WHERE NOT EXISTS (SELECT 1 FROM ${rollupActive} WHERE ${rollupActive.product} = ${product} AND ${rollupActive.day} = ${day})
        AND ${allowed}`,
    )
    .onConflictDoNothing();
}

/** Fresh staged pings of the rollup_active row's (product, day) whose installation was NOT yet active in the n days to it. */
function newlyActive(n: number): SQL {
  return sql`(SELECT count(*) FROM ${pingsIncoming} s WHERE s.fresh = 1 AND s.product = ${rollupActive.product}
    AND s.day = ${rollupActive.day} AND NOT EXISTS (SELECT 1 FROM ${instanceActivity} a
      WHERE a.instance_id = s.instance_id AND a.product = s.product AND ${inWindowSql(activityOf("a"), sql.raw("s.day"), n)}))`;
}

/**
 * Counts the ping writer's fresh staged rows (the pings the round inserts: one per installation)
 * into their days' rollup_active rows (made by ensureActiveDay): pings + their number, and
 * active-1/7/30 + those whose installation's activity BEFORE the round's merge (so: run it before
 * mergeStagedActivity) did not have it in that window. A redelivered ping or a repeated
 * Idempotency-Key is not fresh and adds nothing. Days after a ping's day are corrected by the cron.
 */
export function countStagedIntoDays(db: Db) {
  return db
    .update(rollupActive)
    .set({
      active1: sql`${rollupActive.active1} + ${newlyActive(1)}`,
      active7: sql`${rollupActive.active7} + ${newlyActive(7)}`,
      active30: sql`${rollupActive.active30} + ${newlyActive(30)}`,
      pings: sql`${rollupActive.pings} + (SELECT count(*) FROM ${pingsIncoming} s WHERE s.fresh = 1
        AND s.product = ${rollupActive.product} AND s.day = ${rollupActive.day})`,
    })
    .where(
      sql`(${rollupActive.product}, ${rollupActive.day}) IN (SELECT product, day FROM ${pingsIncoming} WHERE fresh = 1)`,
    );
}

/**
 * Distinct products of the activity table, one index seek each (a loose index scan of
 * (product, last_day): no row of a product is read to find the next one).
 */
const products = sql`p(product) AS (
    SELECT min(product) FROM ${instanceActivity}
    UNION ALL
    SELECT (SELECT min(product) FROM ${instanceActivity} WHERE product > p.product) FROM p WHERE p.product IS NOT NULL)`;

/**
 * The cron's rollup_active of day d, every product: per product, one range read of
 * (product, last_day >= d - 29) over instance_activity (installations active in the window, plus
 * those first seen after d, which count 0), and the day's own pings (pings_day). Never a ping of
 * another day. A product appears when some installation was active in its 30 days (as the raw SQL).
 * Exact for d >= today - ACTIVITY_REACH_DAYS.
 */
export function activeFromActivitySql({ d, d30 }: DayWindow): SQL {
  const a = activityOf("a");
  return sql`WITH RECURSIVE ${products},
    day_pings AS (SELECT product, count(*) AS n FROM ${pings} WHERE day = ${d} GROUP BY product),
    w AS (SELECT a.product AS product, ${inWindowSql(a, d, 1)} AS in1, ${inWindowSql(a, d, 7)} AS in7,
        ${inWindowSql(a, d, 30)} AS in30
      FROM p CROSS JOIN ${instanceActivity} a INDEXED BY instance_activity_product_last_day
      WHERE a.product = p.product AND a.last_day >= ${d30})
    SELECT w.product, ${d}, sum(in1), sum(in7), sum(in30), coalesce(max(day_pings.n), 0)
    FROM w LEFT JOIN day_pings ON day_pings.product = w.product
    GROUP BY w.product HAVING sum(in30) > 0`;
}

/** Installation `instanceId` active in the 30 days to d, for the facts rollup (a primary-key read). */
export function activeInstallationSql(instanceId: SQL, d: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${instanceActivity} a WHERE a.instance_id = ${instanceId}
    AND ${inWindowSql(activityOf("a"), d, 30)})`;
}

/** The erase of an installation's activity rows (every product). */
export function eraseActivity(db: Db, instanceId: string, allowed?: SQL) {
  const byId = eq(instanceActivity.instanceId, instanceId);
  return db.delete(instanceActivity).where(allowed ? and(byId, allowed) : byId);
}
