import { and, eq, exists, or, sql } from "drizzle-orm";
import { alerts, instances, pings, releases } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";
import { recordInserts, type ExceptionRow, type FactRow } from "./records";

export type InstanceRow = typeof instances.$inferInsert;
export type PingRow = typeof pings.$inferInsert;
export type ReleaseRow = typeof releases.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;

export interface RecordedPing {
  /** The stored submission uuid: the new one, or the first one for a repeated Idempotency-Key. */
  uuid: string;
  duplicate: boolean;
  release: ReleaseRow | undefined;
  alerts: AlertRow[];
}

/**
 * Stores a ping and upserts its instance in ONE db.batch (one transaction, one round trip),
 * and reads the product's release and alerts in the same trip. A repeated
 * (instance, Idempotency-Key) inserts nothing and leaves the instance untouched.
 * The ping's fact and exception records go in the same batch, deduplicated by their client ids.
 */
export async function recordPing(
  db: Db,
  instance: InstanceRow,
  ping: PingRow,
  records: { facts: FactRow[]; exceptions: ExceptionRow[] } = { facts: [], exceptions: [] },
): Promise<RecordedPing> {
  const inserted = exists(
    db
      .select({ one: sql`1` })
      .from(pings)
      .where(eq(pings.uuid, ping.uuid)),
  );
  const [, , , stored, release, productAlerts] = await guard("recordPing", () =>
    db.batch([
      db.insert(instances).values(instance).onConflictDoNothing(),
      db.insert(pings).values(ping).onConflictDoNothing(),
      db
        .update(instances)
        .set({
          lastSeen: sql`max(${instances.lastSeen}, ${instance.lastSeen})`,
          version: sql`coalesce(${instance.version ?? null}, ${instances.version})`,
          osType: sql`coalesce(${instance.osType ?? null}, ${instances.osType})`,
          osRelease: sql`coalesce(${instance.osRelease ?? null}, ${instances.osRelease})`,
          osArch: sql`coalesce(${instance.osArch ?? null}, ${instances.osArch})`,
          licenseType: sql`coalesce(${instance.licenseType ?? null}, ${instances.licenseType})`,
          pingCount: sql`${instances.pingCount} + 1`,
        })
        .where(and(eq(instances.id, instance.id), inserted)),
      db
        .select({ uuid: pings.uuid })
        .from(pings)
        .where(
          or(
            eq(pings.uuid, ping.uuid),
            ping.idempotencyKey
              ? and(eq(pings.instanceId, ping.instanceId), eq(pings.idempotencyKey, ping.idempotencyKey))
              : sql`0`,
          ),
        )
        .limit(1),
      db.select().from(releases).where(eq(releases.product, ping.product)),
      db.select().from(alerts).where(eq(alerts.product, ping.product)),
      ...recordInserts(db, ping.uuid, records.facts, records.exceptions),
    ]),
  );
  const uuid = stored[0]?.uuid ?? ping.uuid;
  return { uuid, duplicate: uuid !== ping.uuid, release: release[0], alerts: productAlerts };
}

/** Newest-first page of one instance's pings; cursor is the last row's (receivedAt, uuid). */
export async function listPings(db: Db, instanceId: string, limit: number, after?: Cursor) {
  const page = newestFirst(pings.receivedAt, pings.uuid, after);
  return guard("listPings", () =>
    db
      .select()
      .from(pings)
      .where(and(eq(pings.instanceId, instanceId), page.after))
      .orderBy(...page.order)
      .limit(limit),
  );
}
