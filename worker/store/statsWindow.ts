import { sql, type SQL } from "drizzle-orm";
import { facts, instances } from "../../schema/tables";
import { addDays } from "../lib/time";
import type { Db } from "./db";
import { guard } from "./db";
import type { CubeFilter, Slice } from "./stats";
import { slicedSql } from "./statsSlice";

/**
 * Window figures under a filter (active-7/30, facts), at request time from raw pings.
 *
 * Definition: an installation counts in the N-day window ending d when it was in the slice on at
 * least one day of that window (its last ping of that day matched the filter). Unfiltered this is
 * "pinged in the window" (rollup_active's active-N, the facts' population).
 *
 * Method (O(rows), no days x installations cross join): per installation, its matching days x in
 * order; a match on x covers the window-end days [x, x + N - 1]; with p its previous matching day
 * (LAG), the match adds coverage only from max(x, p + N), so the matches' intervals
 * [max(x, p + N), x + N - 1] are disjoint (empty when start > end). Each interval is a +1 on its
 * first day and a -1 the day after its last; D1 sums them per day (GROUP BY), the caller takes the
 * running sum over the days (pipeline/stats/windows.ts). Days are whole days since 1970-01-01
 * (`dayNo`), turned back into YYYY-MM-DD only on the grouped rows.
 */

/** A TEXT day (YYYY-MM-DD) as whole days since 1970-01-01 (julianday of a midnight ends in .5). */
const dayNo = (day: SQL) => sql`CAST(julianday(${day}) - 2440587.5 AS INTEGER)`;
const isoOf = (n: SQL) => sql`date(${n} * 86400, 'unixepoch')`;

/**
 * The slice of [from - 29, to] (30 days: the longest window reaching `from`), and each matching
 * (installation, day) with its previous matching day: `c(instance_id, x, p)`.
 */
function matches(s: Slice, f: CubeFilter): SQL {
  const wide = { ...s, from: addDays(s.from, -29) };
  return sql`${slicedSql(wide, f)},
    c AS (SELECT instance_id, x, lag(x) OVER (PARTITION BY instance_id ORDER BY x) AS p
      FROM (SELECT instance_id, ${dayNo(sql`day`)} AS x FROM l))`;
}

/** One change of a window count: on `day`, `delta` installations enter (+) or leave (-) the N-day window. */
export interface WindowDelta {
  n: number;
  day: string;
  delta: number;
}

/**
 * The +1/-1 deltas of active-7 and active-30 under the filter (both in one scan of the slice),
 * for window-end days up to `s.to` (deltas before `s.from` included: the running sum starts there).
 */
export async function activeWindowDeltas(db: Db, s: Slice, f: CubeFilter): Promise<WindowDelta[]> {
  const to = sql`${dayNo(sql`${s.to}`)}`;
  return guard("statsActiveWindows", () =>
    db.all<WindowDelta>(sql`WITH ${matches(s, f)},
      i AS (SELECT w.value AS n, max(x, coalesce(p + w.value, x)) AS a, x + w.value - 1 AS b
        FROM c, json_each('[7,30]') w),
      e AS (SELECT n, a AS d, 1 AS v FROM i WHERE a <= b AND a <= ${to}
        UNION ALL SELECT n, b + 1, -1 FROM i WHERE a <= b AND b + 1 <= ${to})
      SELECT n, ${isoOf(sql`d`)} AS day, sum(v) AS delta FROM e GROUP BY n, d`),
  );
}

/** One change of a fact count: on `day`, `delta` installations enter (+) or leave (-) (key, value). */
export interface FactDelta {
  key: string;
  value: string;
  day: string;
  delta: number;
}

/**
 * The +1/-1 deltas of the facts under the filter (pipeline/rollup's factsSql, N = 30): an
 * installation counts for (key, value) on day d when it is in the slice on a day of the 30 to d
 * (its coverage intervals above) and `value` is its latest value of `key` as of d: of the facts
 * received (their `day`) by d, the one with the greatest (collected_at, id). That value changes
 * only on a day a fact arrives that beats every fact received before or with it (a running max
 * over the facts ordered by their day; `printf('%020d')` keeps (collected_at, id) in order as one
 * TEXT), so each (installation, key) has disjoint value intervals [day, next change - 1]. Each
 * overlap of a coverage interval and a value interval, clipped to [from, to], is a +1 on its first
 * day and a -1 the day after its last. Facts of installations of other products (instances.product)
 * are left out, as the rollup does. Reads the slice's installations' facts received by `to`
 * (the facts_instance index).
 */
export async function factWindowDeltas(db: Db, s: Slice, f: CubeFilter): Promise<FactDelta[]> {
  const from = sql`${dayNo(sql`${s.from}`)}`;
  const to = sql`${dayNo(sql`${s.to}`)}`;
  const order = sql`printf('%020d', ${facts.collectedAt}) || ${facts.id}`;
  return guard("statsFactWindows", () =>
    db.all<FactDelta>(sql`WITH ${matches(s, f)},
      cov AS MATERIALIZED (SELECT instance_id, a, b FROM (
          SELECT instance_id, max(x, coalesce(p + 30, x)) AS a, x + 29 AS b FROM c)
        WHERE a <= b AND b >= ${from} AND a <= ${to}),
      fk AS (SELECT ${facts.instanceId} AS instance_id, ${facts.key} AS key, ${facts.value} AS value,
          ${dayNo(sql`${facts.day}`)} AS r, ${order} AS k,
          max(${order}) OVER (PARTITION BY ${facts.instanceId}, ${facts.key} ORDER BY ${facts.day}) AS w
        FROM ${facts} JOIN ${instances} ON ${instances.id} = ${facts.instanceId}
        WHERE ${facts.instanceId} IN (SELECT instance_id FROM cov) AND ${instances.product} = ${s.product}
          AND ${facts.day} <= ${s.to}),
      v AS (SELECT instance_id, key, value, r AS a,
          coalesce(lead(r) OVER (PARTITION BY instance_id, key ORDER BY r) - 1, ${to}) AS b
        FROM fk WHERE k = w),
      o AS (SELECT v.key AS key, v.value AS value, max(v.a, cov.a, ${from}) AS a, min(v.b, cov.b, ${to}) AS b
        FROM v JOIN cov ON cov.instance_id = v.instance_id AND cov.a <= v.b AND v.a <= cov.b),
      e AS (SELECT key, value, a AS d, 1 AS n FROM o WHERE a <= b
        UNION ALL SELECT key, value, b + 1, -1 FROM o WHERE a <= b AND b + 1 <= ${to})
      SELECT key, value, ${isoOf(sql`d`)} AS day, sum(n) AS delta FROM e GROUP BY key, value, d`),
  );
}
