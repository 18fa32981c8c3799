import { sql, type SQL } from "drizzle-orm";
import { activeFromActivitySql, activeInstallationSql } from "./activity";
import type { DayWindow } from "./dayWindow";
import {
  customEventsSlicesSql,
  customEventsSql,
  eventPropsSlicesSql,
  eventPropsSql,
  frontendSlicesSql,
  frontendSql,
  pagesSlicesSql,
  pagesSql,
} from "./rollupEventsSql";
import { commandsSql, unattributedSql } from "./rollupProtocolSql";
import {
  rollupActive,
  rollupCommands,
  rollupCube,
  rollupDims,
  rollupEventProps,
  rollupEvents,
  rollupExceptions,
  rollupExceptionSlices,
  rollupFrontend,
  rollupFrontendSlices,
  rollupEventsSlices,
  rollupEventPropsSlices,
  rollupPagesSlices,
  rollupMetrics,
  rollupPages,
  rollupSessions,
} from "../../schema/tables";

/**
 * The statements that rebuild one day of rollups from raw rows, all products at once. Each is an
 * INSERT ... SELECT run inside D1 (no rows travel to the worker, 1-3 bound parameters each).
 * `d` is the day, `d7`/`d30` the first day of the 7- and 30-day windows ending with it.
 */

/**
 * Each installation's last ping of the day (its state that day); of one product when given, and
 * only when `only` holds (a condition on no row). `only` goes into the (day) index key: the day
 * is NULL when it fails, so the seek reads no ping at all (a WHERE term would be tested per row).
 */
function latest(d: string, product?: string, only?: SQL): SQL {
  const ofProduct = product === undefined ? sql`` : sql` AND p.product = ${product}`;
  const day = only === undefined ? sql`${d}` : sql`(SELECT ${d} WHERE ${only})`;
  return sql`latest AS (
    SELECT * FROM (
      SELECT p.*, row_number() OVER (PARTITION BY p.product, p.instance_id ORDER BY p.received_at DESC, p.uuid DESC) AS rn
      FROM pings p WHERE p.day = ${day}${ofProduct}
    ) WHERE rn = 1)`;
}

/** The simple dimensions: one value per installation and day, from its last ping of the day. */
const SIMPLE_DIMS = ["version", "os_type", "os_arch", "os", "license", "country"] as const;
const simpleDims = sql.raw(`'${JSON.stringify(SIMPLE_DIMS)}'`);

/** The value of simple dimension `dim` for a ping's (or a stored state's) columns, as rollup_dims keeps it. */
export function dimValue(dim: SQL, c: { version: SQL; osType: SQL; osArch: SQL; licenseType: SQL; country: SQL }): SQL {
  return sql`CASE ${dim}
        WHEN 'version' THEN coalesce(${c.version}, '')
        WHEN 'os_type' THEN coalesce(${c.osType}, '')
        WHEN 'os_arch' THEN coalesce(${c.osArch}, '')
        WHEN 'os' THEN coalesce(${c.osType}, '?') || '/' || coalesce(${c.osArch}, '?')
        WHEN 'license' THEN coalesce(${c.licenseType}, '')
        ELSE coalesce(${c.country}, '') END`;
}

/** `<alias>.version, <alias>.os_type...` as dimValue takes them (pings and instance_activity name them alike). */
export const dimColumns = (alias: string) => ({
  version: sql.raw(`${alias}.version`),
  osType: sql.raw(`${alias}.os_type`),
  osArch: sql.raw(`${alias}.os_arch`),
  licenseType: sql.raw(`${alias}.license_type`),
  country: sql.raw(`${alias}.country`),
});

/** `json_each` of SIMPLE_DIMS, to cross join a row with its dimensions (D1 caps compound SELECTs). */
export const eachSimpleDim = (alias: string) => sql`json_each(${simpleDims}) ${sql.raw(alias)}`;

/**
 * Active-1/7/30 and the day's pings: from instance_activity (store/activity.ts) for days within
 * its reach, else from the raw window (rawActiveSql, the fallback).
 */
export function activeSql(w: DayWindow): SQL {
  return w.fromActivity ? activeFromActivitySql(w) : rawActiveSql(w);
}

/**
 * The fallback, from raw pings: one sort of the 30-day window (each installation's last day in
 * it, then counts by how recent it is). Reads every raw ping of the window: only for days beyond
 * instance_activity's reach (a first run over old data), and as the reference in tests.
 */
export function rawActiveSql({ d, d7, d30 }: DayWindow): SQL {
  return sql`SELECT product, ${d}, sum(last = ${d}), sum(last >= ${d7}), count(*), sum(today)
    FROM (SELECT product, instance_id, max(day) AS last, sum(day = ${d}) AS today
      FROM pings WHERE day BETWEEN ${d30} AND ${d} GROUP BY product, instance_id)
    GROUP BY product`;
}

/**
 * Simple dimensions: one (dim, value) per installation, via a cross join (D1 caps compound
 * SELECTs). Of one product when given (store/dayDims.ts: the baseline of a day's first ping).
 */
export function dimsSql({ d }: Pick<DayWindow, "d">, product?: string, only?: SQL): SQL {
  return sql`WITH ${latest(d, product, only)}
    SELECT l.product, ${d}, k.value, '', ${dimValue(sql`k.value`, dimColumns("l"))} AS v, count(*)
    FROM latest l, ${eachSimpleDim("k")} WHERE 1
    GROUP BY l.product, k.value, v`;
}

/**
 * The breakdown cube: one row per combination of the filterable fields, installations counted once
 * by their last ping of the day. Reads only the day's own pings (the pings_day index), never a
 * window; `product`/`only` as in dimsSql (the ping's transaction builds one product's baseline).
 */
export function cubeSql({ d }: Pick<DayWindow, "d">, product?: string, only?: SQL): SQL {
  return sql`WITH ${latest(d, product, only)}
    SELECT product, ${d}, ${cubeKey(sql.raw("latest"))}, count(*)
    FROM latest GROUP BY 1, 3, 4, 5, 6, 7`;
}

/** A ping's (or a stored activity state's) cube key columns, as rollup_cube keeps them ('' = unknown). */
export function cubeKey(alias: SQL): SQL {
  return sql`coalesce(${alias}.version, ''), coalesce(${alias}.license_type, ''), coalesce(${alias}.country, ''),
      coalesce(${alias}.os_type, ''), coalesce(${alias}.os_arch, '')`;
}

/** Runtimes: every env key but the product's own (that one is its version). */
export function runtimeSql({ d }: DayWindow): SQL {
  return sql`WITH ${latest(d)}
    SELECT l.product, ${d}, 'runtime', e.key, CAST(e.value AS TEXT) AS v, count(*)
    FROM latest l, json_each(l.env) e WHERE e.key <> l.product AND e.type = 'text'
    GROUP BY l.product, e.key, v`;
}

/**
 * platform.counts: per key, installations reporting, sum, median (mean of the middle two) and p90
 * (nearest rank). The sum is total() (a REAL): sum() raises "integer overflow" past 2^63, which
 * ~1,024 counts near Number.MAX_SAFE_INTEGER reach.
 */
export function countsSql({ d }: DayWindow): SQL {
  return sql`WITH ${latest(d)},
    v AS (SELECT l.product, c.key, c.value AS v FROM latest l, json_each(l.counts) c WHERE c.type IN ('integer', 'real')),
    r AS (SELECT product, key, v,
      row_number() OVER (PARTITION BY product, key ORDER BY v) AS i,
      count(*) OVER (PARTITION BY product, key) AS n FROM v)
    SELECT product, ${d}, 'count', key, max(n), total(v),
      avg(CASE WHEN i IN ((n + 1) / 2, (n + 2) / 2) THEN v END),
      max(CASE WHEN i = (9 * n + 9) / 10 THEN v END)
    FROM r GROUP BY product, key`;
}

/** platform.config boolean leaves (dotted path): installations reporting the flag, and with it on. */
export function flagsSql({ d }: DayWindow): SQL {
  return sql`WITH ${latest(d)}
    SELECT l.product, ${d}, 'flag', substr(t.fullkey, 3), count(*), sum(t.type = 'true'), NULL, NULL
    FROM latest l, json_tree(l.config) t WHERE t.type IN ('true', 'false')
    GROUP BY l.product, t.fullkey`;
}

/** Distinct values kept per fact key and day (by installations); the rest are summed as "(other)". */
export const FACT_VALUES_PER_KEY = 50;

/**
 * Facts: installations active in the 30 days to d (their instance_activity row, a primary-key
 * read; for days beyond its reach, a raw ping in the window through the (instance_id, received_at)
 * index), by the latest value of each key received by d; the top FACT_VALUES_PER_KEY values per
 * key, the rest as "(other)" (values are free text). Reads the facts received by d (all days:
 * the latest value of a key may be old), never pings of other days.
 */
export function factsSql({ d, from30Ms, toMs, fromActivity }: DayWindow): SQL {
  const active = fromActivity
    ? activeInstallationSql(sql`f.instance_id`, d)
    : sql`EXISTS (SELECT 1 FROM pings p WHERE p.instance_id = f.instance_id
        AND p.received_at >= ${from30Ms} AND p.received_at < ${toMs})`;
  return sql`WITH f AS (SELECT instance_id, key, value,
      row_number() OVER (PARTITION BY instance_id, key ORDER BY collected_at DESC, id DESC) AS rn
      FROM facts WHERE day <= ${d}),
    c AS (SELECT i.product AS product, f.key AS key, f.value AS value, count(*) AS n
      FROM f JOIN instances i ON i.id = f.instance_id
      WHERE f.rn = 1 AND ${active}
      GROUP BY i.product, f.key, f.value),
    r AS (SELECT *, row_number() OVER (PARTITION BY product, key ORDER BY n DESC, value) AS rk FROM c)
    SELECT product, ${d}, 'fact', key, CASE WHEN rk <= ${FACT_VALUES_PER_KEY} THEN value ELSE '(other)' END AS v, sum(n)
    FROM r GROUP BY product, key, v`;
}

/**
 * Exceptions per fingerprint and version; type/message of the latest report; first/last seen are
 * server receive times (client clocks are only bounded, not trusted); day_installations counts an
 * installation once per fingerprint and day whatever its versions (reports without an
 * installation, from Sentry, count as occurrences only); crashes = Sentry reports not handled or
 * fatal. The product is the report's own (Sentry) or its installation's.
 */
export function exceptionsSql({ d }: DayWindow): SQL {
  return sql`WITH x AS (
      SELECT e.instance_id, e.fingerprint, e.type, e.message, e.received_at, e.handled, e.fatal,
        coalesce(e.product, i.product) AS product, coalesce(e.version, '') AS v,
        row_number() OVER (PARTITION BY coalesce(e.product, i.product), e.fingerprint, coalesce(e.version, '')
          ORDER BY e.received_at DESC, e.collected_at DESC, e.id DESC) AS rn
      FROM exceptions e LEFT JOIN instances i ON i.id = e.instance_id
      WHERE e.day = ${d} AND coalesce(e.product, i.product) IS NOT NULL),
    fp AS (SELECT product, fingerprint, count(DISTINCT instance_id) AS n FROM x GROUP BY product, fingerprint)
    SELECT x.product, ${d}, x.fingerprint, v, max(CASE WHEN rn = 1 THEN type END), max(CASE WHEN rn = 1 THEN message END),
      count(*), count(DISTINCT instance_id), max(fp.n), min(received_at), max(received_at),
      count(CASE WHEN x.handled = 0 OR x.fatal = 1 THEN 1 END)
    FROM x JOIN fp ON fp.product = x.product AND fp.fingerprint = x.fingerprint
    GROUP BY x.product, x.fingerprint, v`;
}

/**
 * Exceptions by slice (rollup_exception_slices): the reports of the day whose installation
 * pinged that day, under the licence type and country of its last ping of the day (the cube's
 * rule: latest received_at, then uuid), per fingerprint and report version. Reads the day's
 * reports (exceptions_day) and, per reporting installation, one seek of the
 * (instance_id, received_at) index bounded by the day: never the day's other pings.
 */
export function exceptionSlicesSql({ d, fromMs, toMs }: Pick<DayWindow, "d" | "fromMs" | "toMs">): SQL {
  return sql`WITH e AS (SELECT e.instance_id AS instance_id, coalesce(e.product, i.product) AS product, e.fingerprint AS fingerprint,
        coalesce(e.version, '') AS v, (e.handled = 0 OR e.fatal = 1) AS crash
      FROM exceptions e JOIN instances i ON i.id = e.instance_id WHERE e.day = ${d}),
    s AS (SELECT instance_id, product, (SELECT p.uuid FROM pings p INDEXED BY pings_instance_received WHERE p.instance_id = r.instance_id AND p.product = r.product
        AND p.received_at >= ${fromMs} AND p.received_at < ${toMs} ORDER BY p.received_at DESC, p.uuid DESC LIMIT 1) AS last
      FROM (SELECT DISTINCT instance_id, product FROM e) r),
    x AS (SELECT e.*, coalesce(l.license_type, '') AS lic, coalesce(l.country, '') AS country
      FROM e JOIN s ON s.instance_id = e.instance_id AND s.product = e.product JOIN pings l ON l.uuid = s.last),
    fp AS (SELECT product, fingerprint, lic, country, count(DISTINCT instance_id) AS n FROM x GROUP BY 1, 2, 3, 4)
    SELECT x.product, ${d}, x.fingerprint, x.v, x.lic, x.country, count(*), count(DISTINCT x.instance_id), max(fp.n),
      count(CASE WHEN x.crash THEN 1 END)
    FROM x JOIN fp ON fp.product = x.product AND fp.fingerprint = x.fingerprint AND fp.lic = x.lic AND fp.country = x.country
    GROUP BY x.product, x.fingerprint, x.v, x.lic, x.country`;
}

/** Release health: Sentry sessions first received on the day, per product and version. */
export function sessionsSql({ d }: DayWindow): SQL {
  return sql`SELECT product, ${d}, version, sum(sessions), sum(errored), sum(crashed), sum(abnormal)
    FROM release_sessions WHERE day = ${d} GROUP BY product, version`;
}

/** Sentry client reports of the day: per product and `<category>/<reason>`, reports and items dropped. */
export function droppedSql({ d }: DayWindow): SQL {
  return sql`SELECT product, ${d}, 'dropped', category || '/' || reason, count(*), total(quantity), NULL, NULL
    FROM client_reports WHERE day = ${d} GROUP BY product, category, reason`;
}

type Target =
  | typeof rollupActive
  | typeof rollupDims
  | typeof rollupCube
  | typeof rollupMetrics
  | typeof rollupExceptions
  | typeof rollupExceptionSlices
  | typeof rollupFrontend
  | typeof rollupPages
  | typeof rollupEvents
  | typeof rollupEventProps
  | typeof rollupFrontendSlices
  | typeof rollupPagesSlices
  | typeof rollupEventsSlices
  | typeof rollupEventPropsSlices
  | typeof rollupCommands
  | typeof rollupSessions;
export const buildStatements: Array<[Target, (w: DayWindow) => SQL]> = [
  [rollupActive, activeSql],
  [rollupDims, (w) => dimsSql(w)],
  [rollupCube, (w) => cubeSql(w)],
  [rollupDims, runtimeSql],
  [rollupMetrics, countsSql],
  [rollupMetrics, flagsSql],
  [rollupDims, factsSql],
  [rollupExceptions, exceptionsSql],
  [rollupExceptionSlices, exceptionSlicesSql],
  [rollupSessions, sessionsSql],
  [rollupMetrics, droppedSql],
  [rollupFrontend, frontendSql],
  [rollupPages, pagesSql],
  [rollupEvents, customEventsSql],
  [rollupEventProps, eventPropsSql],
  [rollupFrontendSlices, frontendSlicesSql],
  [rollupPagesSlices, pagesSlicesSql],
  [rollupEventsSlices, customEventsSlicesSql],
  [rollupEventPropsSlices, eventPropsSlicesSql],
  [rollupCommands, (w) => commandsSql(latest(w.d), w)],
  [rollupDims, unattributedSql],
];
