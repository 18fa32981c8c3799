import { sql } from "drizzle-orm";
import { rollupEventProps, rollupEvents } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { Slice } from "./stats";

/**
 * Custom events (names not starting with "$") of a product and range, from the rollups
 * (rollup_events, rollup_event_props: kept up to date by the event writer, rebuilt by the cron),
 * never from raw rows: every query reads a (product, day) prefix of a primary key, so its cost
 * grows with the days asked for, not with the events stored. Property pairs are the top
 * EVENT_PROPS_PER_EVENT per event and day once the cron rebuilt the day, summed over the range.
 */
export async function customEventRows(db: Db, s: Slice) {
  const ev = sql`${rollupEvents.product} = ${s.product} AND ${rollupEvents.day} BETWEEN ${s.from} AND ${s.to}`;
  const pr = sql`${rollupEventProps.product} = ${s.product} AND ${rollupEventProps.day} BETWEEN ${s.from} AND ${s.to}`;
  const [perDay, perVersion, props] = await guard("statsEvents", () =>
    Promise.all([
      db.all<{ day: string; event: string; n: number }>(
        sql`SELECT day, event, sum(count) AS n FROM ${rollupEvents} WHERE ${ev} GROUP BY day, event`,
      ),
      db.all<{ event: string; version: string; n: number }>(
        sql`SELECT event, app_version AS version, sum(count) AS n FROM ${rollupEvents} WHERE ${ev}
          GROUP BY event, version ORDER BY n DESC LIMIT 500`,
      ),
      db.all<{ event: string; key: string; value: string; n: number }>(
        sql`SELECT event, key, value, sum(count) AS n FROM ${rollupEventProps} WHERE ${pr}
          GROUP BY event, key, value ORDER BY n DESC LIMIT 1000`,
      ),
    ]),
  );
  return { perDay, perVersion, props };
}
