import { sql } from "drizzle-orm";
import { events } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { Slice } from "./stats";

/**
 * Custom events (names not starting with "$") of a product and range, from raw rows: every
 * query seeks the events_product_day index and groups in D1; LIMITs bound what comes back.
 */
export async function customEventRows(db: Db, s: Slice) {
  const custom = sql`${events.product} = ${s.product} AND ${events.day} BETWEEN ${s.from} AND ${s.to} AND substr(${events.event}, 1, 1) <> '$'`;
  const [perDay, perVersion, props] = await guard("statsEvents", () =>
    Promise.all([
      db.all<{ day: string; event: string; n: number }>(
        sql`SELECT ${events.day} AS day, ${events.event} AS event, count(*) AS n FROM ${events} WHERE ${custom} GROUP BY day, event`,
      ),
      db.all<{ event: string; version: string; n: number }>(
        sql`SELECT ${events.event} AS event, coalesce(${events.appVersion}, '') AS version, count(*) AS n FROM ${events} WHERE ${custom} GROUP BY event, version ORDER BY n DESC LIMIT 500`,
      ),
      db.all<{ event: string; key: string; value: string; n: number }>(
        sql`SELECT ${events.event} AS event, j.key AS key, CAST(j.value AS TEXT) AS value, count(*) AS n
          FROM ${events}, json_each(${events.props}) j WHERE ${custom} AND ${events.props} IS NOT NULL
          GROUP BY event, j.key, value ORDER BY n DESC LIMIT 1000`,
      ),
    ]),
  );
  return { perDay, perVersion, props };
}
