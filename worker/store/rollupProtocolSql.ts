import { sql, type SQL } from "drizzle-orm";
import type { DayWindow } from "./dayWindow";

/** Rollups of the seed clients' protocols for one day (see rollupSql.ts): SELECTs for rollup_commands and rollup_dims. */

/** Rows kept per product and day in rollup_commands (by installations, then count). */
export const COMMAND_ROWS_PER_DAY = 2000;

/**
 * The command_metrics entries [opcode, command, argument, result, count] of the pings in `from`
 * (a CTE of pings' product, day, version, instance_id and commands), one row each: product, day,
 * version ('' = unknown), instance_id, command, argument, result and n (the count; the caller sums
 * the opcodes). Entries whose command, argument or result is not text are left out. The cron's
 * rollup and the filtered request-time answer (store/statsSlice.ts) read commands through it.
 */
export function commandEntriesSql(from: SQL): SQL {
  return sql`SELECT * FROM (SELECT l.product AS product, l.day AS day, coalesce(l.version, '') AS version,
        l.instance_id AS instance_id, json_extract(e.value, '$[1]') AS command, json_extract(e.value, '$[2]') AS argument,
        json_extract(e.value, '$[3]') AS result, json_extract(e.value, '$[4]') AS n
      FROM ${from} l, json_each(l.commands) e WHERE l.commands IS NOT NULL AND e.type = 'array')
    WHERE typeof(command) = 'text' AND typeof(argument) = 'text' AND typeof(result) = 'text'`;
}

/**
 * FerretDB command results per version: each installation's last ping of the day (`latest`),
 * its command_metrics entries (commandEntriesSql) with the opcodes summed.
 */
export function commandsSql(latest: SQL, { d }: DayWindow): SQL {
  return sql`WITH ${latest},
    c AS (${commandEntriesSql(sql.raw("latest"))}),
    g AS (SELECT product, version, command, argument, result, count(DISTINCT instance_id) AS inst, total(n) AS tot
      FROM c GROUP BY product, version, command, argument, result),
    r AS (SELECT *, row_number() OVER (PARTITION BY product ORDER BY inst DESC, tot DESC, version, command, argument, result) AS rk FROM g)
    SELECT product, ${d}, version, command, argument, result, inst, tot FROM r WHERE rk <= ${COMMAND_ROWS_PER_DAY}`;
}

/** Facts that name no installation (Firefly III's shared id, "empty"), received on the day: their number per key and value. */
export function unattributedSql({ d }: DayWindow): SQL {
  return sql`SELECT product, ${d}, 'fact_unattributed', key, value, count(*)
    FROM unattributed_facts WHERE day = ${d} GROUP BY product, key, value`;
}
