import { sql, type SQL } from "drizzle-orm";
import type { DayWindow } from "./dayWindow";

/**
 * Frontend rollups of one day (see rollupSql.ts): SELECTs for rollup_frontend, rollup_pages,
 * rollup_events and rollup_event_props. The event writer (eventWrites.ts) increments the same
 * counters as events arrive; a rebuild recomputes them from the day's raw events (its own day
 * only: no window), adds what only it computes (durations, entries, exits) and trims the tops.
 */

/** Bucket of a $pageleave duration: whole seconds < 600 s, whole minutes < 1 h, then 3600 (the event writer uses it too). */
export const durationBucketSql = sql.raw(`CAST(CASE
  WHEN CAST(duration_ms AS INTEGER) < 600000 THEN CAST(duration_ms AS INTEGER) / 1000
  WHEN CAST(duration_ms AS INTEGER) < 3600000 THEN (CAST(duration_ms AS INTEGER) / 60000) * 60
  ELSE 3600 END AS TEXT)`);

/** The day's events, found through the received_at index. */
function eventsOf({ d, fromMs, toMs }: DayWindow): SQL {
  return sql`events WHERE received_at >= ${fromMs} AND received_at < ${toMs} AND day = ${d}`;
}

export function frontendSql(w: DayWindow): SQL {
  const { d } = w;
  return sql`WITH ev AS (SELECT * FROM ${eventsOf(w)}),
    h AS (SELECT product, json_group_object(b, n) AS durations FROM (
      SELECT product, ${durationBucketSql} AS b, count(*) AS n FROM ev
      WHERE event = '$pageleave' AND duration_ms >= 0 GROUP BY product, b) GROUP BY product)
    SELECT ev.product, ${d}, count(*), sum(event = '$pageview'), sum(event = '$pageleave'),
      count(DISTINCT session_id), count(DISTINCT distinct_id), max(h.durations)
    FROM ev LEFT JOIN h ON h.product = ev.product GROUP BY ev.product`;
}

/** Pages kept per product and day by a rebuild (top by pageviews, then leaves, then path). */
export const PAGES_PER_DAY = 500;

/** Per page: views, sessions entering/leaving on it (first/last $pageview), leaves and their durations. */
export function pagesSql(w: DayWindow): SQL {
  const { d } = w;
  return sql`WITH ev AS (SELECT product, event, session_id, coalesce(path, '') AS path, coalesce(timestamp, received_at) AS t, uuid, duration_ms
      FROM ${eventsOf(w)} AND event IN ('$pageview', '$pageleave')),
    pv AS (SELECT product, path, session_id,
      row_number() OVER (PARTITION BY product, session_id ORDER BY t, uuid) AS a,
      row_number() OVER (PARTITION BY product, session_id ORDER BY t DESC, uuid DESC) AS z
      FROM ev WHERE event = '$pageview'),
    per AS (
      SELECT product, path, count(*) AS views, sum(session_id IS NOT NULL AND a = 1) AS entries,
        sum(session_id IS NOT NULL AND z = 1) AS exits, 0 AS leaves FROM pv GROUP BY product, path
      UNION ALL SELECT product, path, 0, 0, 0, count(*) FROM ev WHERE event = '$pageleave' GROUP BY product, path),
    tot AS (SELECT product, path, sum(views) AS views, sum(entries) AS entries, sum(exits) AS exits, sum(leaves) AS leaves,
      row_number() OVER (PARTITION BY product ORDER BY sum(views) DESC, sum(leaves) DESC, path) AS rk
      FROM per GROUP BY product, path),
    h AS (SELECT product, path, json_group_object(b, n) AS durations FROM (
      SELECT product, path, ${durationBucketSql} AS b, count(*) AS n FROM ev
      WHERE event = '$pageleave' AND duration_ms >= 0 GROUP BY product, path, b) GROUP BY product, path)
    SELECT tot.product, ${d}, tot.path, views, entries, exits, leaves, h.durations
    FROM tot LEFT JOIN h ON h.product = tot.product AND h.path = tot.path WHERE rk <= ${PAGES_PER_DAY}`;
}

/** Property pairs kept per custom event and day by a rebuild (values are free text). */
export const EVENT_PROPS_PER_EVENT = 100;

/** Custom events (names not starting with "$") per app version. */
export function customEventsSql(w: DayWindow): SQL {
  return sql`SELECT product, ${w.d}, event, coalesce(app_version, ''), count(*) FROM ${eventsOf(w)}
    AND substr(event, 1, 1) <> '$' GROUP BY product, event, coalesce(app_version, '')`;
}

/** Property pairs of custom events: the top EVENT_PROPS_PER_EVENT per event, by events carrying them. */
export function eventPropsSql(w: DayWindow): SQL {
  return sql`WITH c AS (SELECT e.product, e.event, j.key, CAST(j.value AS TEXT) AS v, count(*) AS n
      FROM (SELECT product, event, props FROM ${eventsOf(w)} AND props IS NOT NULL AND substr(event, 1, 1) <> '$') e,
        json_each(e.props) j
      GROUP BY e.product, e.event, j.key, v),
    r AS (SELECT *, row_number() OVER (PARTITION BY product, event ORDER BY n DESC, key, v) AS rk FROM c)
    SELECT product, ${w.d}, event, key, v, n FROM r WHERE rk <= ${EVENT_PROPS_PER_EVENT}`;
}
