import { and, eq, getTableColumns, gte, sql, type SQL } from "drizzle-orm";
import { events, eventsIncoming } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";
import { jsonChunks } from "../lib/jsonChunks";

export type EventRow = typeof events.$inferInsert;

/** The columns of an event as captured (events_incoming's: `events` adds only its `archived` flag). */
const columns = Object.entries(getTableColumns(eventsIncoming));
const keys = columns.map(([key]) => key as keyof EventRow);

/**
 * One row as the JSON array json_extract reads: its values in the table's column order (no key
 * names: shorter to build, bind and parse), props nested as a JSON string, as stored.
 */
function jsonRow(r: EventRow): string {
  const values: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = r[key];
    values[i] = key === "props" && v != null ? JSON.stringify(v) : (v ?? null);
  }
  return JSON.stringify(values);
}

/** `json_extract(value, '$[i]')`: the field `key` of a row of eventJsonChunks, in json_each's `value`. */
export function jsonField(key: keyof EventRow): SQL {
  const i = keys.indexOf(key);
  if (i < 0) throw new Error(`not an event column: ${key}`);
  return sql.raw(`json_extract(value, '$[${i}]')`);
}

/**
 * Rows -> JSON array parameters of bounded rows and bytes (lib/jsonChunks.ts; pure). A single row
 * is bounded far below by the capture limits (schema/wire/capture.ts).
 */
export function eventJsonChunks(rows: EventRow[]): string[] {
  return jsonChunks(rows.map(jsonRow));
}

/** `SELECT json_extract(value, '$[0]'), ... FROM json_each(?)` in the table's column order. */
export function selectFromJson(json: string): SQL {
  return sql`SELECT ${sql.join(
    keys.map((key) => jsonField(key)),
    sql`, `,
  )} FROM json_each(${json}) WHERE true`;
}

export interface EventFilter {
  since?: number;
  event?: string;
  session?: string;
  /** The installation's browser reference. */
  instanceRef?: string;
  product?: string;
}

/** Newest-first page of events; cursor is the last row's (receivedAt, uuid). */
export async function listEvents(db: Db, filter: EventFilter, limit: number, after?: Cursor) {
  const page = newestFirst(events.receivedAt, events.uuid, after);
  return guard("listEvents", () =>
    db
      .select()
      .from(events)
      .where(
        and(
          filter.since === undefined ? undefined : gte(events.receivedAt, filter.since),
          filter.event === undefined ? undefined : eq(events.event, filter.event),
          filter.session === undefined ? undefined : eq(events.sessionId, filter.session),
          filter.instanceRef === undefined ? undefined : eq(events.instanceRef, filter.instanceRef),
          filter.product === undefined ? undefined : eq(events.product, filter.product),
          page.after,
        ),
      )
      .orderBy(...page.order)
      .limit(limit),
  );
}
