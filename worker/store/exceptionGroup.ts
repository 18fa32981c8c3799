import { and, desc, eq, sql } from "drizzle-orm";
import { exceptions, instances, rollupExceptions } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { Slice } from "./stats";

/**
 * Reads of one exception group (product + fingerprint). Rollup rows are bounded by the
 * (product, fingerprint) index; raw reports by the fingerprint index and the range's days.
 */
export async function exceptionGroupRows(db: Db, s: Slice, fingerprint: string) {
  return guard("exceptionGroupRows", () =>
    db
      .select()
      .from(rollupExceptions)
      .where(and(eq(rollupExceptions.product, s.product), eq(rollupExceptions.fingerprint, fingerprint))),
  );
}

/** The latest stored report of the group (its scrubbed stack). */
export async function latestReport(db: Db, product: string, fingerprint: string) {
  const rows = await guard("exceptionLatestReport", () =>
    db
      .select({ type: exceptions.type, message: exceptions.message, stack: exceptions.stack })
      .from(exceptions)
      .innerJoin(instances, eq(instances.id, exceptions.instanceId))
      .where(and(eq(exceptions.fingerprint, fingerprint), eq(instances.product, product)))
      .orderBy(desc(exceptions.receivedAt))
      .limit(1),
  );
  return rows[0];
}

/** Distinct installations with a stored report in the range: their number and up to `limit` ids. */
export async function affectedInstances(db: Db, s: Slice, fingerprint: string, limit: number) {
  const rows = await guard("exceptionAffected", () =>
    db.all<{ id: string; n: number }>(sql`
      SELECT e.instance_id AS id, count(*) OVER () AS n
      FROM ${exceptions} e JOIN ${instances} i ON i.id = e.instance_id
      WHERE e.fingerprint = ${fingerprint} AND i.product = ${s.product} AND e.day BETWEEN ${s.from} AND ${s.to}
      GROUP BY e.instance_id ORDER BY max(e.received_at) DESC LIMIT ${limit}`),
  );
  return { installations: rows[0]?.n ?? 0, ids: rows.map((r) => r.id) };
}
