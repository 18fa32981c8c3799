import { sql, type SQL } from "drizzle-orm";
import { pings, rollupActive } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { CubeFilter, Slice } from "./stats";
import type { DistributionRow } from "./statsCube";
import { commandEntriesSql } from "./rollupProtocolSql";

/**
 * Filtered figures that are not additive across slices (medians, p90, distinct installations over
 * a window), computed at request time from the raw pings of the range: each installation by its
 * last ping of each day (latest received_at, then uuid, as the rollups and the cube take it), kept
 * when that ping matches the filter ('' = unknown), then counted as the cron counts rollup_metrics
 * (rollupSql.ts countsSql, flagsSql). Raw pings are kept RETENTION_DAYS: older days are answered
 * by `rawMissingDays` / `rawExpiredThrough`. Reads every raw ping of the product in the range (the
 * pings_day index, one sort).
 *
 * `l` holds one row per (day, instance_id) in the slice, with `columns` of that day's last ping
 * (day and instance_id always).
 */
export function slicedSql(s: Slice, f: CubeFilter, columns: string[] = []): SQL {
  const only = (column: string, value: string | undefined) =>
    value === undefined ? sql`` : sql` AND coalesce(${sql.raw(column)}, '') = ${value}`;
  const extra = sql.raw(columns.map((c) => `, ${c}`).join(""));
  return sql`l AS MATERIALIZED (SELECT day, instance_id${extra} FROM (
      SELECT ${pings.day} AS day, ${pings.instanceId} AS instance_id, ${pings.product} AS product, ${pings.counts} AS counts, ${pings.config} AS config,
        ${pings.env} AS env, ${pings.commands} AS commands,
        ${pings.version} AS version, ${pings.licenseType} AS license_type, ${pings.country} AS country,
        row_number() OVER (PARTITION BY ${pings.day}, ${pings.instanceId} ORDER BY ${pings.receivedAt} DESC, ${pings.uuid} DESC) AS rn
      FROM ${pings} WHERE ${pings.day} BETWEEN ${s.from} AND ${s.to} AND ${pings.product} = ${s.product})
    WHERE rn = 1${only("version", f.version)}${only("license_type", f.licenseType)}${only("country", f.country)})`;
}

/**
 * One row per (day, kind, key, value): kind 'count' with `n` installations reporting that value of
 * the count; kind 'flag' with `n` installations reporting the flag, `v` of them with it on. The
 * medians and p90 are taken from these histograms by the caller (pipeline/stats/steps.ts): a
 * GROUP BY instead of a window sort per (day, key) in D1. The slice is MATERIALIZED: read once
 * for the two parts.
 */
export interface SliceValueRow {
  day: string;
  kind: "count" | "flag";
  key: string;
  v: number;
  n: number;
}

export async function sliceValueRows(db: Db, s: Slice, f: CubeFilter): Promise<SliceValueRow[]> {
  return guard("statsSliceValues", () =>
    db.all<SliceValueRow>(sql`WITH ${slicedSql(s, f, ["counts", "config"])}
      SELECT l.day AS day, 'count' AS kind, c.key AS key, c.value AS v, count(*) AS n
      FROM l, json_each(l.counts) c WHERE c.type IN ('integer', 'real') GROUP BY l.day, c.key, c.value
      UNION ALL
      SELECT l.day, 'flag', substr(t.fullkey, 3), sum(t.type = 'true'), count(*)
      FROM l, json_tree(l.config) t WHERE t.type IN ('true', 'false') GROUP BY l.day, t.fullkey`),
  );
}

/**
 * Runtimes (env) under a filter, as the cron's runtimeSql counts them (every text env key but the
 * product's own, which is its version): per (key, value), the slice's installations on `asOf`
 * and its installation-days over the range. Rows shaped as the breakdown cube's distributions.
 */
export async function sliceRuntimeRows(db: Db, s: Slice, f: CubeFilter, asOf: string): Promise<DistributionRow[]> {
  return guard("statsSliceRuntimes", () =>
    db.all<DistributionRow>(sql`WITH ${slicedSql(s, f, ["env"])}
      SELECT 'runtime' AS dim, e.key AS key, CAST(e.value AS TEXT) AS value,
        total(l.day = ${asOf}) AS onDay, count(*) AS n
      FROM l, json_each(l.env) e WHERE e.key <> ${s.product} AND e.type = 'text'
      GROUP BY e.key, CAST(e.value AS TEXT)`),
  );
}

/** A FerretDB command result over the range, as store/statsCommands.ts answers it from rollup_commands. */
export interface SliceCommandRow {
  version: string;
  command: string;
  argument: string;
  result: string;
  installationDays: number;
  count: number;
}

/**
 * FerretDB command results under a licence type or country filter (rollup_commands keeps
 * neither): the slice's last pings of each day, their command_metrics entries [opcode, command,
 * argument, result, count] as the cron's commandsSql reads them (opcodes summed), per (version,
 * command, argument, result): installation-days and the counts' total; every result but "ok"
 * unless `result` names one; most widespread first, at most `limit` rows.
 */
export async function sliceCommandRows(
  db: Db,
  s: Slice,
  f: CubeFilter,
  result: string | undefined,
  limit: number,
): Promise<SliceCommandRow[]> {
  const wanted = result === undefined ? sql`result <> 'ok'` : sql`result = ${result}`;
  return guard("statsSliceCommands", () =>
    db.all<SliceCommandRow>(sql`WITH ${slicedSql(s, f, ["product", "version", "commands"])},
      c AS (${commandEntriesSql(sql.raw("l"))})
      SELECT version, command, argument, result,
        count(DISTINCT day || ' ' || instance_id) AS installationDays, total(n) AS count
      FROM c WHERE ${wanted}
      GROUP BY version, command, argument, result
      ORDER BY installationDays DESC, count DESC, version, command, argument, result
      LIMIT ${limit}`),
  );
}

/**
 * Days of the range with rollups of the product but before the oldest raw ping kept (their raw
 * pings expired, RETENTION_DAYS): a request-time slice has nothing to read there. Two index reads.
 */
export async function rawMissingDays(db: Db, s: Slice): Promise<string[]> {
  const rows = await guard("statsRawMissingDays", () =>
    db.all<{ day: string }>(sql`SELECT ${rollupActive.day} AS day FROM ${rollupActive}
      WHERE ${rollupActive.product} = ${s.product} AND ${rollupActive.day} BETWEEN ${s.from} AND ${s.to}
        AND ${rollupActive.day} < coalesce((SELECT min(${pings.day}) FROM ${pings}), '9999-12-31')
      ORDER BY 1`),
  );
  return rows.map((r) => r.day);
}

/**
 * The newest day up to `s.to` with rollups of the product but before the oldest raw ping kept
 * (rawMissingDays' days, the last of them), or null when none: a request-time window figure of
 * day d (its N days to d) is only exact when d - N + 1 is after it. One index read each.
 */
export async function rawExpiredThrough(db: Db, s: Slice): Promise<string | null> {
  const rows = await guard("statsRawExpired", () =>
    db.all<{ day: string | null }>(sql`SELECT max(${rollupActive.day}) AS day FROM ${rollupActive}
      WHERE ${rollupActive.product} = ${s.product} AND ${rollupActive.day} <= ${s.to}
        AND ${rollupActive.day} < coalesce((SELECT min(${pings.day}) FROM ${pings}), '9999-12-31')`),
  );
  return rows[0]?.day ?? null;
}
