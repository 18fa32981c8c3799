import { sql, type SQL } from "drizzle-orm";
import { rollupEventProps, rollupEventPropsSlices, rollupEvents, rollupEventsSlices } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { CubeFilter, Slice } from "./stats";

/** ` AND column = value` per given filter, on a full-slice table's columns ('' = unknown). */
function sliceFilter(f: CubeFilter): SQL {
  const only = (column: string, value: string | undefined) =>
    value === undefined ? sql`` : sql` AND ${sql.raw(column)} = ${value}`;
  return sql`${only("app_version", f.version)}${only("license_type", f.licenseType)}${only("country", f.country)}`;
}

/**
 * Custom events (names not starting with "$") of a product and range, from the rollups
 * (rollup_events, rollup_event_props: kept up to date by the event writer, rebuilt by the cron;
 * under a filter, `f` given, their full breakdown slices rollup_events_slices and
 * rollup_event_props_slices, summed over the slices the filter matches: counts add up), never
 * from raw rows: every query reads a (product, day) prefix of a primary key, so its cost grows
 * with the days asked for, not with the events stored. Property pairs are the top
 * EVENT_PROPS_PER_EVENT per event and day (and slice) once the cron rebuilt the day, summed over
 * the range.
 */
export async function customEventRows(db: Db, s: Slice, f?: CubeFilter) {
  const events = f === undefined ? rollupEvents : rollupEventsSlices;
  const props = f === undefined ? rollupEventProps : rollupEventPropsSlices;
  const only = f === undefined ? sql`` : sliceFilter(f);
  const ev = sql`product = ${s.product} AND day BETWEEN ${s.from} AND ${s.to}${only}`;
  const [perDay, perVersion, topProps] = await guard("statsEvents", () =>
    Promise.all([
      db.all<{ day: string; event: string; n: number }>(
        sql`SELECT day, event, sum(count) AS n FROM ${events} WHERE ${ev} GROUP BY day, event`,
      ),
      db.all<{ event: string; version: string; n: number }>(
        sql`SELECT event, app_version AS version, sum(count) AS n FROM ${events} WHERE ${ev}
          GROUP BY event, version ORDER BY n DESC LIMIT 500`,
      ),
      db.all<{ event: string; key: string; value: string; n: number }>(
        sql`SELECT event, key, value, sum(count) AS n FROM ${props} WHERE ${ev}
          GROUP BY event, key, value ORDER BY n DESC LIMIT 1000`,
      ),
    ]),
  );
  return { perDay, perVersion, props: topProps };
}
