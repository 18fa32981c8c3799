import { not, sql, type SQL } from "drizzle-orm";
import { clientReports, exceptions, facts, instances, releaseSessions } from "../../schema/tables";
import type { Db } from "./db";
import { erasedAfter } from "./eventErasure";
import { guard } from "./db";
import { pingStatements, type InstanceRow, type PingRow } from "./pings";
import { chunk, EXCEPTIONS_PER_INSERT, rowsWhere, type ExceptionRow, type FactRow } from "./records";

export type SessionRow = typeof releaseSessions.$inferInsert;
export type ClientReportRow = typeof clientReports.$inferInsert;

/** Everything one Sentry request keeps, written together. */
export interface SentryRows {
  /** Signs of life of installations (a ping row each, deduplicated by its idempotency key). */
  sightings: Array<{ instance: InstanceRow; ping: PingRow }>;
  exceptions: ExceptionRow[];
  facts: FactRow[];
  sessions: SessionRow[];
  clientReports: ClientReportRow[];
}

/** D1 binds at most 100 parameters per statement. */
const SESSIONS_PER_INSERT = 9; // 10 columns
const REPORTS_PER_INSERT = 14; // 7 columns

/**
 * The installation exists and has no registered key. A Sentry request cannot prove an
 * installation key, so it never writes anything linked to a keyed installation: no sighting, no
 * fact, and its exceptions are kept without the installation.
 */
function keyless(instanceId: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${instances} WHERE ${instances.id} = ${instanceId} AND ${instances.keyHash} IS NULL)`;
}

/**
 * A row received at `receivedAt` may be linked to installation `instanceId`: it is keyless, and
 * was not erased after the row was received (`ref`: its browser reference, from the message's
 * sighting of it; store/eventErasure.ts). A message still queued at an erase links nothing to
 * the installation a later sighting recreated.
 */
function linkable(instanceId: string, ref: string | null, receivedAt: number): SQL {
  return sql`(${keyless(instanceId)} AND NOT ${erasedAfter(sql`${ref}`, sql`${receivedAt}`)})`;
}

/** Exception inserts: without an installation as they are; with one, linked only when linkable. */
function exceptionInserts(db: Db, rows: ExceptionRow[], refOf: (instanceId: string) => string | null) {
  const loose = rows.filter((r) => !r.instanceId);
  return [
    ...chunk(loose, EXCEPTIONS_PER_INSERT).map((c) => db.insert(exceptions).values(c).onConflictDoNothing()),
    ...rows
      .filter((r) => r.instanceId)
      .flatMap((r) => {
        const link = linkable(r.instanceId!, refOf(r.instanceId!), r.receivedAt);
        return [
          db
            .insert(exceptions)
            .select(rowsWhere(exceptions, [r], link))
            .onConflictDoNothing(),
          db
            .insert(exceptions)
            .select(rowsWhere(exceptions, [{ ...r, instanceId: null }], not(link)))
            .onConflictDoNothing(),
        ];
      }),
  ];
}

/**
 * The statements that store one Sentry request's rows, for ONE db.batch (one transaction), in
 * this order: installations and their sighting pings first (facts and exceptions are linked to an
 * installation only when it exists keyless, so they must follow), then exceptions, facts, sessions
 * and client reports. Every row has a deterministic id, so storing the rows again (a replayed
 * request, a redelivered queue message) inserts nothing; a session's later state merges into its
 * row (crashed / abnormal / errored only ever go up, so the merge is order-independent).
 */
export function sentryWrites(db: Db, rows: SentryRows) {
  const refs = new Map(rows.sightings.map((s) => [s.instance.id, s.instance.browserRef ?? null]));
  const refOf = (instanceId: string) => refs.get(instanceId) ?? null;
  return [
    ...pingStatements(db, rows.sightings),
    ...exceptionInserts(db, rows.exceptions, refOf),
    ...rows.facts.map((f) =>
      db
        .insert(facts)
        .select(rowsWhere(facts, [f], linkable(f.instanceId, refOf(f.instanceId), f.receivedAt)))
        .onConflictDoNothing(),
    ),
    ...chunk(rows.sessions, SESSIONS_PER_INSERT).map((c) =>
      db
        .insert(releaseSessions)
        .values(c)
        .onConflictDoUpdate({
          target: releaseSessions.id,
          set: {
            crashed: sql`max(${releaseSessions.crashed}, excluded.crashed)`,
            abnormal: sql`max(${releaseSessions.abnormal}, excluded.abnormal)`,
            errored: sql`CASE WHEN max(${releaseSessions.crashed}, excluded.crashed, ${releaseSessions.abnormal}, excluded.abnormal) > 0
              THEN 0 ELSE max(${releaseSessions.errored}, excluded.errored) END`,
          },
        }),
    ),
    ...chunk(rows.clientReports, REPORTS_PER_INSERT).map((c) =>
      db.insert(clientReports).values(c).onConflictDoNothing(),
    ),
  ];
}

/**
 * Statements one sighting takes (pingWrites of one ping), counted on a placeholder row, so the
 * budget follows pingWrites as it grows. An upper bound per sighting: n sightings take at most
 * n rounds, each of one stage statement and one (product, day).
 */
export function sightingStatements(db: Db): number {
  const instance: InstanceRow = { id: "", product: "", firstSeen: 0, lastSeen: 0 };
  const ping: PingRow = { uuid: "", instanceId: "", product: "", receivedAt: 0, day: "2000-01-01" };
  return pingStatements(db, [{ instance, ping }]).length;
}

/**
 * Statements sentryWrites makes for `rows` at most (what the queue splitter budgets per
 * message), given `perSighting` = sightingStatements(db).
 */
export function sentryStatements(rows: SentryRows, perSighting: number): number {
  const linked = rows.exceptions.filter((e) => e.instanceId).length;
  return (
    rows.sightings.length * perSighting +
    linked * 2 +
    Math.ceil((rows.exceptions.length - linked) / EXCEPTIONS_PER_INSERT) +
    rows.facts.length +
    Math.ceil(rows.sessions.length / SESSIONS_PER_INSERT) +
    Math.ceil(rows.clientReports.length / REPORTS_PER_INSERT)
  );
}

/** Writes one Sentry request's rows (sentryWrites) in ONE db.batch. */
export async function recordSentry(db: Db, rows: SentryRows): Promise<void> {
  const [first, ...rest] = sentryWrites(db, rows);
  if (!first) return;
  await guard("recordSentry", () => db.batch([first, ...rest]));
}
