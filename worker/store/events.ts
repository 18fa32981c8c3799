import { and, eq, getTableColumns, gte, sql, type SQL } from "drizzle-orm";
import { events, eventsIncoming } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";

export type EventRow = typeof events.$inferInsert;

/**
 * Rows per INSERT. Each statement binds ONE parameter (the rows as a JSON array, read with
 * json_each), so D1's 100-parameter limit does not split a batch into hundreds of statements.
 */
export const ROWS_PER_INSERT = 500;

/**
 * UTF-8 bytes of that one JSON parameter. D1 refuses a string or blob value over 2,000,000 bytes
 * (developers.cloudflare.com/d1/platform/limits, "maximum string, BLOB or table row size"), and
 * hostile-but-valid rows (escaped control characters, long allowed strings) make 500 rows about
 * 4.7 MB: statements are cut by bytes as well as by rows, with half the limit as margin.
 */
export const JSON_BYTES_PER_INSERT = 1_000_000;

/** The columns of an event as captured (events_incoming's: `events` adds only its `archived` flag). */
const columns = Object.entries(getTableColumns(eventsIncoming));
const encoder = new TextEncoder();

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
 * Rows -> JSON array parameters of at most ROWS_PER_INSERT rows and JSON_BYTES_PER_INSERT bytes
 * each (pure). A single row is bounded far below by the capture limits (schema/wire/capture.ts).
 */
export function eventJsonChunks(rows: EventRow[]): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let bytes = 2; // []
  for (const r of rows) {
    const one = jsonRow(r);
    const size = encoder.encode(one).byteLength + 1;
    if (parts.length > 0 && (parts.length === ROWS_PER_INSERT || bytes + size > JSON_BYTES_PER_INSERT)) {
      out.push(`[${parts.join(",")}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(one);
    bytes += size;
  }
  if (parts.length > 0) out.push(`[${parts.join(",")}]`);
  return out;
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
