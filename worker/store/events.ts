import { and, eq, gte, type SQL } from "drizzle-orm";
import { events, eventsIncoming } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";
import { jsonStage } from "./jsonStage";

export type EventRow = typeof events.$inferInsert;

/**
 * Events staged through one JSON parameter (store/jsonStage.ts), in the columns of an event as
 * captured (events_incoming's: `events` adds only its `archived` flag); props nested as a JSON
 * string, as stored. A single row is bounded far below the byte bound by the capture limits
 * (schema/wire/capture.ts).
 */
const stage = jsonStage<EventRow>(eventsIncoming, (r, key) => r[key as keyof EventRow]);

/** Rows -> JSON array parameters of bounded rows and bytes (pure). */
export const eventJsonChunks = (rows: EventRow[]): string[] => stage.chunks(rows);

/** `json_extract(value, '$[i]')`: the field `key` of a row of eventJsonChunks, in json_each's `value`. */
export const jsonField = (key: keyof EventRow): SQL => stage.field(key);

/** `SELECT json_extract(value, '$[0]'), ... FROM json_each(?)` in the table's column order. */
export const selectFromJson = (json: string): SQL => stage.select(json);

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
