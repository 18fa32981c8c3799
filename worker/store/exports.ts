import { and, between, eq, sql, type SQL } from "drizzle-orm";
import { events, pings } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";

/** Keyset position of an export: (day, rowid). Both tables have a (…day) index that also orders by rowid. */
export interface ExportCursor {
  day: string;
  rowid: number;
}
export interface ExportRange {
  product?: string | undefined;
  from: string;
  to: string;
}

function after(table: typeof pings | typeof events, c: ExportCursor | null): SQL {
  return c ? sql`(${table.day}, ${table}.rowid) > (${c.day}, ${c.rowid})` : sql`1`;
}

/** One page of raw pings in (day, rowid) order. */
export async function pingsPage(db: Db, r: ExportRange, cursor: ExportCursor | null, limit: number) {
  return guard("exportPings", () =>
    db.select({ rowid: sql<number>`${pings}.rowid`, row: pings }).from(pings)
      .where(and(between(pings.day, r.from, r.to), r.product ? eq(pings.product, r.product) : undefined, after(pings, cursor)))
      .orderBy(pings.day, sql`${pings}.rowid`)
      .limit(limit),
  );
}

/** One page of raw events in (day, rowid) order. */
export async function eventsPage(db: Db, r: ExportRange, cursor: ExportCursor | null, limit: number) {
  return guard("exportEvents", () =>
    db.select({ rowid: sql<number>`${events}.rowid`, row: events }).from(events)
      .where(and(between(events.day, r.from, r.to), r.product ? eq(events.product, r.product) : undefined, after(events, cursor)))
      .orderBy(events.day, sql`${events}.rowid`)
      .limit(limit),
  );
}
