import { and, count, desc, eq, getTableColumns, max, min, sql, type SQL } from "drizzle-orm";
import { exceptions, facts, type instances, pings } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";
import { idKey } from "./instances";

export type FactRow = typeof facts.$inferInsert;
export type ExceptionRow = typeof exceptions.$inferInsert;

/** D1 binds at most 100 parameters per statement: rows per INSERT (one parameter is the ping uuid). */
export const FACTS_PER_INSERT = Math.floor(99 / Object.keys(getTableColumns(facts)).length);
export const EXCEPTIONS_PER_INSERT = Math.floor(99 / Object.keys(getTableColumns(exceptions)).length);

export function chunk<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** The tables written by conditional INSERT ... SELECT (rowsWhere). */
type ConditionalTable = typeof facts | typeof exceptions | typeof pings | typeof instances;

/**
 * `SELECT * FROM (VALUES (...), ...) WHERE <condition>`: the rows in the table's column order
 * (the order drizzle's INSERT ... SELECT names them), for a conditional insert in a db.batch. Each
 * value is mapped as its column maps it (JSON, booleans); a value a row leaves out takes the
 * column's static default (as `.values()` would), else null.
 */
export function rowsWhere<T extends ConditionalTable>(table: T, rows: Array<T["$inferInsert"]>, condition: SQL): SQL {
  const columns = Object.entries(getTableColumns(table));
  const tuples = rows.map((row) => {
    const values = columns.map(([key, column]) => {
      const given = (row as Record<string, unknown>)[key];
      const value = given === undefined && column.hasDefault ? column.default : given;
      return value === undefined || value === null ? sql`null` : sql.param(value, column);
    });
    return sql`(${sql.join(values, sql`, `)})`;
  });
  return sql`SELECT * FROM (VALUES ${sql.join(tuples, sql`, `)}) WHERE ${condition}`;
}

/** The rows, only if this ping was inserted. */
function rowsIfPingStored<T extends typeof facts | typeof exceptions>(
  table: T,
  rows: Array<T["$inferInsert"]>,
  pingUuid: string,
): SQL {
  return rowsWhere(table, rows, sql`EXISTS (SELECT 1 FROM ${pings} WHERE ${pings.uuid} = ${pingUuid})`);
}

/**
 * INSERT ... SELECT ... ON CONFLICT DO NOTHING statements for a ping's records, for the same
 * db.batch as the ping: they insert only when the ping itself was inserted (a repeated
 * Idempotency-Key stores nothing new), and client ids dedupe retries without a key.
 */
export function recordInserts(db: Db, pingUuid: string, factRows: FactRow[], exceptionRows: ExceptionRow[]) {
  return [
    ...chunk(factRows, FACTS_PER_INSERT).map((rows) =>
      db
        .insert(facts)
        .select(rowsIfPingStored(facts, rows, pingUuid))
        .onConflictDoNothing(),
    ),
    ...chunk(exceptionRows, EXCEPTIONS_PER_INSERT).map((rows) =>
      db
        .insert(exceptions)
        .select(rowsIfPingStored(exceptions, rows, pingUuid))
        .onConflictDoNothing(),
    ),
  ];
}

/** Newest-first page of one instance's facts; cursor is the last row's (receivedAt, id). */
export async function listFacts(db: Db, instanceId: string, limit: number, after: Cursor | undefined) {
  const page = newestFirst(facts.receivedAt, facts.id, after);
  return guard("listFacts", () =>
    db
      .select()
      .from(facts)
      .where(and(eq(facts.instanceId, idKey(instanceId)), page.after))
      .orderBy(...page.order)
      .limit(limit),
  );
}

/** Newest-first page of one instance's exceptions, plus its groups (one per fingerprint). */
export async function listExceptions(db: Db, anyCaseId: string, limit: number, after: Cursor | undefined) {
  const instanceId = idKey(anyCaseId);
  const page = newestFirst(exceptions.receivedAt, exceptions.id, after);
  const [rows, groups] = await guard("listExceptions", () =>
    db.batch([
      db
        .select()
        .from(exceptions)
        .where(and(eq(exceptions.instanceId, instanceId), page.after))
        .orderBy(...page.order)
        .limit(limit),
      db
        .select({
          fingerprint: exceptions.fingerprint,
          type: max(exceptions.type),
          count: count(),
          firstSeen: min(exceptions.receivedAt),
          lastSeen: max(exceptions.receivedAt),
        })
        .from(exceptions)
        .where(eq(exceptions.instanceId, instanceId))
        .groupBy(exceptions.fingerprint)
        .orderBy(desc(max(exceptions.receivedAt)))
        .limit(100),
    ]),
  );
  return { rows, groups };
}
