import { and, eq, getTableColumns, gte, sql, type SQL } from "drizzle-orm";
import { events } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";

export type EventRow = typeof events.$inferInsert;

/**
 * Rows per INSERT. Each statement binds ONE parameter (the rows as a JSON array, read with
 * json_each), so D1's 100-parameter limit does not split a batch into hundreds of statements;
 * 500 rows of at most ~1.5 KB stay under D1's 2 MB per-value limit.
 */
export const ROWS_PER_INSERT = 500;

const columns = Object.entries(getTableColumns(events));

/** `SELECT json_extract(value, '$.k1'), ... FROM json_each(?)` in the table's column order. */
function selectFromJson(rows: EventRow[]): SQL {
  const json = JSON.stringify(
    rows.map((r) =>
      Object.fromEntries(
        columns.map(([key]) => {
          const v = r[key as keyof EventRow];
          return [key, key === "props" && v != null ? JSON.stringify(v) : (v ?? null)];
        }),
      ),
    ),
  );
  const picks = columns.map(([key]) => sql.raw(`json_extract(value, '$.${key}')`));
  return sql`SELECT ${sql.join(picks, sql`, `)} FROM json_each(${json}) WHERE true`;
}

/**
 * Stores events in ONE db.batch (one transaction: all or nothing) as
 * `INSERT ... SELECT FROM json_each(?) ON CONFLICT(uuid) DO NOTHING RETURNING uuid` statements.
 * A retried batch resends the same uuids, so it inserts nothing twice. Returns how many were new.
 */
export async function insertEvents(db: Db, rows: EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    statements.push(
      db
        .insert(events)
        .select(selectFromJson(rows.slice(i, i + ROWS_PER_INSERT)))
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
