import { and, desc, eq, getTableColumns, gte, lt, or } from "drizzle-orm";
import { events } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";

export type EventRow = typeof events.$inferInsert;

/** D1 binds at most 100 parameters per statement: rows per multi-row INSERT. */
export const ROWS_PER_INSERT = Math.floor(100 / Object.keys(getTableColumns(events)).length);

/**
 * Stores events in ONE db.batch (one transaction: all or nothing), as multi-row
 * `INSERT ... ON CONFLICT(uuid) DO NOTHING RETURNING uuid` chunks. A retried batch resends the same
 * uuids, so it inserts nothing twice. Returns how many rows were new.
 */
export async function insertEvents(db: Db, rows: EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    statements.push(
      db
        .insert(events)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing({ target: events.uuid })
        .returning({ uuid: events.uuid }),
    );
  }
  const [first, ...rest] = statements;
  const results = await guard("insertEvents", () => db.batch([first!, ...rest]));
  return results.reduce((n, inserted) => n + inserted.length, 0);
}

export interface EventFilter {
  since?: number;
  event?: string;
  session?: string;
  instance?: string;
  product?: string;
}

/** Newest-first page of events; cursor is the last row's (receivedAt, uuid). */
export async function listEvents(db: Db, filter: EventFilter, limit: number, after?: { t: number; id: string }) {
  return guard("listEvents", () =>
    db
      .select()
      .from(events)
      .where(
        and(
          filter.since === undefined ? undefined : gte(events.receivedAt, filter.since),
          filter.event === undefined ? undefined : eq(events.event, filter.event),
          filter.session === undefined ? undefined : eq(events.sessionId, filter.session),
          filter.instance === undefined ? undefined : eq(events.instanceId, filter.instance),
          filter.product === undefined ? undefined : eq(events.product, filter.product),
          after
            ? or(lt(events.receivedAt, after.t), and(eq(events.receivedAt, after.t), lt(events.uuid, after.id)))
            : undefined,
        ),
      )
      .orderBy(desc(events.receivedAt), desc(events.uuid))
      .limit(limit),
  );
}
