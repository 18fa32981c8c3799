import { and, desc, eq, sql } from "drizzle-orm";
import { exceptions, instances, pings, rollupExceptions } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { exceptionRowsSql, type CubeFilter, type Slice } from "./stats";

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

/**
 * The group's rows over the range under the filter (store/stats.ts exceptionRowsSql), per day and
 * version: occurrences, and `n`, the distinct installations to sum per day.
 */
export async function exceptionGroupTrend(db: Db, s: Slice, f: CubeFilter, fingerprint: string) {
  return guard("exceptionGroupTrend", () =>
    db.all<{ day: string; version: string; occurrences: number; n: number }>(
      sql`SELECT day, version, occurrences, n FROM (${exceptionRowsSql(s, f, fingerprint)})`,
    ),
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

/**
 * Distinct installations with a stored report in the range, under the filter: their number and up
 * to `limit` ids. Version: the report's. Licence type / country: the installation's last ping of
 * the report's day (one seek of the (instance_id, received_at) index per report, bounded by the
 * day: raw rows' day is the UTC day of received_at): a report of a
 * day with no raw ping of its installation (none sent, or expired after RETENTION_DAYS) is out.
 */
export async function affectedInstances(db: Db, s: Slice, fingerprint: string, limit: number, f: CubeFilter = {}) {
  const ofVersion = f.version === undefined ? sql`` : sql` AND coalesce(e.version, '') = ${f.version}`;
  const tests = [
    f.licenseType === undefined ? undefined : sql`coalesce(p.license_type, '') = ${f.licenseType}`,
    f.country === undefined ? undefined : sql`coalesce(p.country, '') = ${f.country}`,
  ].filter((t) => t !== undefined);
  const ofSlice =
    tests.length === 0
      ? sql``
      : sql` AND (SELECT ${sql.join(tests, sql` AND `)} FROM ${pings} p INDEXED BY pings_instance_received
          WHERE p.instance_id = e.instance_id AND p.product = i.product
            AND p.received_at >= CAST(strftime('%s', e.day) AS INTEGER) * 1000
            AND p.received_at < (CAST(strftime('%s', e.day) AS INTEGER) + 86400) * 1000
          ORDER BY p.received_at DESC, p.uuid DESC LIMIT 1)`;
  const rows = await guard("exceptionAffected", () =>
    db.all<{ id: string; n: number }>(sql`
      SELECT e.instance_id AS id, count(*) OVER () AS n
      FROM ${exceptions} e JOIN ${instances} i ON i.id = e.instance_id
      WHERE e.fingerprint = ${fingerprint} AND i.product = ${s.product} AND e.day BETWEEN ${s.from} AND ${s.to}${ofVersion}${ofSlice}
      GROUP BY e.instance_id ORDER BY max(e.received_at) DESC LIMIT ${limit}`),
  );
  return { installations: rows[0]?.n ?? 0, ids: rows.map((r) => r.id) };
}
