import { sql, type SQL } from "drizzle-orm";
import type { DayWindow } from "./dayWindow";
import { SLICE_KEYS, slicedRows } from "./eventSlices";

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

/** `k1, k2, ` of slice keys, each prefixed with `alias.` when given (empty without keys). */
const keyList = (keys: string[], alias = "") => sql.raw(keys.map((k) => `${alias ? `${alias}.` : ""}${k}, `).join(""));
/** ` AND a.k1 = b.k1 ...` over slice keys. */
const keysEqual = (keys: string[], a: string, b: string) =>
  sql.raw(keys.map((k) => ` AND ${a}.${k} = ${b}.${k}`).join(""));

/** The day's events once per breakdown slice (store/eventSlices.ts): a subquery, after FROM. */
function slicedOf({ d, fromMs, toMs }: DayWindow, which: "every" | "full"): SQL {
  return slicedRows(sql`events`, sql`e.received_at >= ${fromMs} AND e.received_at < ${toMs} AND e.day = ${d}`, which);
}

export function frontendSql(w: DayWindow): SQL {
  return frontendOf(w.d, sql`${eventsOf(w)}`, []);
}

/** rollup_frontend_slices of the day: the same figures per slice (columns in the table's order: product, slice, day, ...). */
export function frontendSlicesSql(w: DayWindow): SQL {
  return frontendOf(w.d, slicedOf(w, "every"), SLICE_KEYS);
}

function frontendOf(d: string, from: SQL, keys: string[]): SQL {
  const k = keyList(keys);
  return sql`WITH ev AS (SELECT * FROM ${from}),
    h AS (SELECT product, ${k}json_group_object(b, n) AS durations FROM (
      SELECT product, ${k}${durationBucketSql} AS b, count(*) AS n FROM ev
      WHERE event = '$pageleave' AND duration_ms >= 0 GROUP BY product, ${k}b) GROUP BY product${sql.raw(keys.map((x) => `, ${x}`).join(""))})
    SELECT ev.product, ${keyList(keys, "ev")}${d}, count(*), sum(event = '$pageview'), sum(event = '$pageleave'),
      count(DISTINCT session_id), count(DISTINCT distinct_id), max(h.durations)
    FROM ev LEFT JOIN h ON h.product = ev.product${keysEqual(keys, "h", "ev")} GROUP BY ${keyList(keys, "ev")}ev.product`;
}

/** Pages kept per product and day (and slice) by a rebuild (top by pageviews, then leaves, then path). */
export const PAGES_PER_DAY = 500;

/** Per page: views, sessions entering/leaving on it (first/last $pageview), leaves and their durations. */
export function pagesSql(w: DayWindow): SQL {
  return pagesOf(w.d, sql`${eventsOf(w)} AND event IN ('$pageview', '$pageleave')`, []);
}

/** rollup_pages_slices of the day: per slice, entries and exits of the session's views inside it. */
export function pagesSlicesSql(w: DayWindow): SQL {
  return pagesOf(w.d, sql`${slicedOf(w, "every")} WHERE event IN ('$pageview', '$pageleave')`, SLICE_KEYS);
}

function pagesOf(d: string, from: SQL, keys: string[]): SQL {
  const k = keyList(keys);
  const by = sql.raw(keys.map((x) => `, ${x}`).join(""));
  return sql`WITH ev AS (SELECT product, ${k}event, session_id, coalesce(path, '') AS path, coalesce(timestamp, received_at) AS t, uuid, duration_ms
      FROM ${from}),
    pv AS (SELECT product, ${k}path, session_id,
      row_number() OVER (PARTITION BY product${by}, session_id ORDER BY t, uuid) AS a,
      row_number() OVER (PARTITION BY product${by}, session_id ORDER BY t DESC, uuid DESC) AS z
      FROM ev WHERE event = '$pageview'),
    per AS (
      SELECT product, ${k}path, count(*) AS views, sum(session_id IS NOT NULL AND a = 1) AS entries,
        sum(session_id IS NOT NULL AND z = 1) AS exits, 0 AS leaves FROM pv GROUP BY product${by}, path
      UNION ALL SELECT product, ${k}path, 0, 0, 0, count(*) FROM ev WHERE event = '$pageleave' GROUP BY product${by}, path),
    tot AS (SELECT product, ${k}path, sum(views) AS views, sum(entries) AS entries, sum(exits) AS exits, sum(leaves) AS leaves,
      row_number() OVER (PARTITION BY product${by} ORDER BY sum(views) DESC, sum(leaves) DESC, path) AS rk
      FROM per GROUP BY product${by}, path),
    h AS (SELECT product, ${k}path, json_group_object(b, n) AS durations FROM (
      SELECT product, ${k}path, ${durationBucketSql} AS b, count(*) AS n FROM ev
      WHERE event = '$pageleave' AND duration_ms >= 0 GROUP BY product${by}, path, b) GROUP BY product${by}, path)
    SELECT tot.product, ${keyList(keys, "tot")}${d}, tot.path, views, entries, exits, leaves, h.durations
    FROM tot LEFT JOIN h ON h.product = tot.product${keysEqual(keys, "h", "tot")} AND h.path = tot.path WHERE rk <= ${PAGES_PER_DAY}`;
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

/** Custom events per full slice (columns in rollup_events_slices' order). */
export function customEventsSlicesSql(w: DayWindow): SQL {
  return sql`SELECT product, ${w.d}, event, app_version, license_type, country, count(*) FROM ${slicedOf(w, "full")}
    WHERE substr(event, 1, 1) <> '$' GROUP BY product, event, app_version, license_type, country`;
}

/** Property pairs of custom events per full slice: the top EVENT_PROPS_PER_EVENT per event and slice. */
export function eventPropsSlicesSql(w: DayWindow): SQL {
  return sql`WITH c AS (SELECT e.product, e.event, e.app_version, e.license_type, e.country, j.key, CAST(j.value AS TEXT) AS v, count(*) AS n
      FROM (SELECT product, event, app_version, license_type, country, props FROM ${slicedOf(w, "full")}
        WHERE props IS NOT NULL AND substr(event, 1, 1) <> '$') e, json_each(e.props) j
      GROUP BY e.product, e.event, e.app_version, e.license_type, e.country, j.key, v),
    r AS (SELECT *, row_number() OVER (PARTITION BY product, event, app_version, license_type, country ORDER BY n DESC, key, v) AS rk FROM c)
    SELECT product, ${w.d}, event, app_version, license_type, country, key, v, n FROM r WHERE rk <= ${EVENT_PROPS_PER_EVENT}`;
}
