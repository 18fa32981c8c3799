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

/** One row as the JSON object json_extract reads (props nested as a JSON string, as stored). */
function jsonRow(r: EventRow): string {
  return JSON.stringify(
    Object.fromEntries(
      columns.map(([key]) => {
        const v = r[key as keyof EventRow];
        return [key, key === "props" && v != null ? JSON.stringify(v) : (v ?? null)];
      }),
    ),
  );
}

/**
 * Rows -> JSON array parameters of bounded rows and bytes (lib/jsonChunks.ts; pure). A single row
 * is bounded far below by the capture limits (schema/wire/capture.ts).
 */
export function eventJsonChunks(rows: EventRow[]): string[] {
  return jsonChunks(rows.map(jsonRow));
}

/** `SELECT json_extract(value, '$.k1'), ... FROM json_each(?)` in the table's column order. */
export function selectFromJson(json: string): SQL {
  const picks = columns.map(([key]) => sql.raw(`json_extract(value, '$.${key}')`));
  return sql`SELECT ${sql.join(picks, sql`, `)} FROM json_each(${json}) WHERE true`;
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
