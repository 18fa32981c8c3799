import { and, eq, exists, isNull, or, sql } from "drizzle-orm";
import { alerts, erasedRefs, instances, pings, releases } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";
import { recordInserts, rowsWhere, type ExceptionRow, type FactRow } from "./records";
import { idKey } from "./instances";
import { countPingIntoDay, ensureActiveDay, recordActivity } from "./activity";
import { dropEmpty, ensureDayDims, moveIn, moveOut } from "./dayDims";
import { cubeDropEmpty, cubeMoveIn, cubeMoveOut, ensureDayCube } from "./dayCube";

export type InstanceRow = typeof instances.$inferInsert;
export type PingRow = typeof pings.$inferInsert;
export type ReleaseRow = typeof releases.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;

export interface RecordedPing {
  /**
   * The instance has a registered key and this ping did not present it (keyHash null or another
   * digest): nothing was written, and the other fields must not be answered. (An instance the
   * erase hold kept from being created is not refused: nothing was written either.)
   */
  refused: boolean;
  /** The stored submission uuid: the new one, or the first one for a repeated Idempotency-Key. */
  uuid: string;
  duplicate: boolean;
  release: ReleaseRow | undefined;
  alerts: AlertRow[];
}

/**
 * The statements that store a ping and upsert its instance, for ONE db.batch, in two parts:
 * `core` (in this order, with reads of the caller's between them where it needs them) and
 * `records` (after everything else: they follow the ping row).
 *
 * The installation key (`instance.keyHash`: the digest this request proved, or null) is checked
 * inside the same transaction: a new instance is created with it; an instance without a key
 * registers it (trust on first use); the ping row is inserted only when the instance's key is
 * then the one presented (`key_hash IS ?`, null-safe: keyless pings of keyless instances pass),
 * and everything else follows the ping row, so a refused ping writes nothing. A repeated
 * (instance, Idempotency-Key) inserts nothing and leaves the instance untouched. The ping's fact
 * and exception records are inserted only with the ping, deduplicated by their ids. The
 * comparison is of digests, never of the key itself.
 *
 * An installation erased after the ping was received (its browser reference in erased_refs with
 * an erase time at or after the ping's received_at: a ping still in the queue, or redelivered,
 * when the maintainer or the installation erased it) is neither recreated nor stored: the
 * instance insert and the ping insert both test it, and everything else follows the ping row.
 * A ping received after the erase is stored as a new installation's first.
 *
 * The same transaction keeps the rollups of the ping's day current without a cron run
 * (store/activity.ts, store/dayDims.ts): the (product, day) rollup_active row and the day's
 * simple dims are made if missing, the ping counted into rollup_active (active-1/7/30 from the
 * installation's activity before this ping) and moved into rollup_dims and the breakdown cube
 * (store/dayCube.ts; from the installation's previous values of the day), then the stored row
 * merged into instance_activity.
 * `core` = `keyed` (instance and key registration: a caller may read the registered key right
 * after them) then `store`, to run back to back in this order: the count relies on changes()
 * of the touch before it, and the dims moves on the activity state before its merge.
 */
export function pingWrites(
  db: Db,
  instance: InstanceRow,
  ping: PingRow,
  records: { facts: FactRow[]; exceptions: ExceptionRow[] } = { facts: [], exceptions: [] },
) {
  const keyHash = instance.keyHash ?? null;
  const keyMatches = exists(
    db
      .select({ one: sql`1` })
      .from(instances)
      .where(and(eq(instances.id, instance.id), sql`${instances.keyHash} IS ${keyHash}`)),
  );
  // Erased after this ping was received (store/eventErasure.ts keeps the reference ERASURE_HOLD_DAYS).
  const notErased = sql`NOT EXISTS (SELECT 1 FROM ${erasedRefs} WHERE ${erasedRefs.ref} = ${instance.browserRef ?? null}
    AND ${erasedRefs.erasedAt} >= ${ping.receivedAt})`;
  const keyed = [
    db
      .insert(instances)
      .select(rowsWhere(instances, [instance], notErased))
      .onConflictDoNothing(),
    // Trust on first use: the first key-bearing ping of a keyless instance registers its key.
    db
      .update(instances)
      .set({ keyHash })
      .where(and(eq(instances.id, instance.id), isNull(instances.keyHash), sql`${keyHash} IS NOT NULL`)),
  ] as const;
  const store = [
    ensureDayDims(db, ping.product, ping.day, keyMatches),
    ensureDayCube(db, ping.product, ping.day, keyMatches),
    ensureActiveDay(db, ping.product, ping.day, keyMatches),
    db
      .insert(pings)
      .select(rowsWhere(pings, [ping], and(keyMatches, notErased)!))
      .onConflictDoNothing(),
    db
      .update(instances)
      .set({
        lastSeen: sql`max(${instances.lastSeen}, ${instance.lastSeen})`,
        version: sql`coalesce(${instance.version ?? null}, ${instances.version})`,
        osType: sql`coalesce(${instance.osType ?? null}, ${instances.osType})`,
        osRelease: sql`coalesce(${instance.osRelease ?? null}, ${instances.osRelease})`,
        osArch: sql`coalesce(${instance.osArch ?? null}, ${instances.osArch})`,
        licenseType: sql`coalesce(${instance.licenseType ?? null}, ${instances.licenseType})`,
        browserRef: instance.browserRef ?? null,
        pingCount: sql`${instances.pingCount} + 1`,
      })
      // changes(): rows the INSERT just above changed (the statement that runs right before this
      // one in every batch). A redelivered ping (same uuid) or a repeated Idempotency-Key inserts
      // nothing, so the instance is touched, and counted, once per stored ping.
      .where(and(eq(instances.id, instance.id), sql`changes() = 1`)),
    // The touch changed its row exactly when the ping row was inserted: counted once per stored ping.
    countPingIntoDay(db, ping.instanceId, ping.product, ping.day),
    moveOut(db, ping.uuid, ping.instanceId, ping.product, ping.day),
    moveIn(db, ping.uuid),
    dropEmpty(db, ping.uuid, ping.instanceId, ping.product, ping.day),
    cubeMoveOut(db, ping.uuid, ping.instanceId, ping.product, ping.day),
    cubeMoveIn(db, ping.uuid),
    cubeDropEmpty(db, ping.uuid, ping.instanceId, ping.product, ping.day),
    recordActivity(db, ping.uuid),
  ] as const;
  return {
    keyed,
    store,
    core: [...keyed, ...store] as const,
    records: recordInserts(db, ping.uuid, records.facts, records.exceptions),
  };
}

/** The instance's registered key digest, read after pingWrites' key registration. */
export function registeredKey(db: Db, instanceId: string) {
  return db.select({ keyHash: instances.keyHash }).from(instances).where(eq(instances.id, instanceId));
}

/**
 * Stores a ping (pingWrites) in ONE db.batch (one transaction, one round trip), and reads the
 * registered key, the stored submission uuid and the product's release and alerts in the same trip.
 */
export async function recordPing(
  db: Db,
  instance: InstanceRow,
  ping: PingRow,
  records: { facts: FactRow[]; exceptions: ExceptionRow[] } = { facts: [], exceptions: [] },
): Promise<RecordedPing> {
  const keyHash = instance.keyHash ?? null;
  const writes = pingWrites(db, instance, ping, records);
  const [create, register] = writes.keyed;
  // 0-1 keyed, 2 the registered key, 3-15 writes.store (13), 16 the stored uuid, then release and alerts.
  const [, , registered, , , , , , , , , , , , , , stored, release, productAlerts] = await guard("recordPing", () =>
    db.batch([
      create,
      register,
      registeredKey(db, instance.id),
      ...writes.store,
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
      ...writes.records,
    ]),
  );
  // No instance after the batch: the erase hold kept it from being created (an erase at or after
  // this ping's receipt). Nothing was stored, and the key is not in question: not refused (the
  // answer is as in queue mode, where the consumer drops such a ping after a 200).
  const refused = registered.length > 0 && (registered[0]!.keyHash ?? null) !== keyHash;
  const uuid = stored[0]?.uuid ?? ping.uuid;
  return { refused, uuid, duplicate: uuid !== ping.uuid, release: release[0], alerts: productAlerts };
}

/** Newest-first page of one instance's pings; cursor is the last row's (receivedAt, uuid). */
export async function listPings(db: Db, instanceId: string, limit: number, after?: Cursor) {
  const page = newestFirst(pings.receivedAt, pings.uuid, after);
  return guard("listPings", () =>
    db
      .select()
      .from(pings)
      .where(and(eq(pings.instanceId, idKey(instanceId)), page.after))
      .orderBy(...page.order)
      .limit(limit),
  );
}
