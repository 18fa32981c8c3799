import { and, eq, or, sql } from "drizzle-orm";
import { alerts, instances, pings, pingsIncoming, releases } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";
import { recordInserts, type ExceptionRow, type FactRow } from "./records";
import { idKey } from "./instances";
import { countStagedIntoDays, ensureActiveDay, mergeStagedActivity } from "./activity";
import { dropEmpty, ensureDayDims, moveIn, moveOut } from "./dayDims";
import { columnList, jsonStage } from "./jsonStage";
import { erasedAfter } from "./eventErasure";
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

/** One ping to store, with the instance row it creates or touches and its records. */
export interface PingItem {
  instance: InstanceRow;
  ping: PingRow;
  records?: { facts: FactRow[]; exceptions: ExceptionRow[] };
}

/** A statement of a db.batch. */
type Statement = Parameters<Db["batch"]>[0][number];

/** One round of pingWrites: its items, and its statements in two parts (see pingWrites). */
export interface PingRound {
  items: PingItem[];
  keyed: Statement[];
  store: Statement[];
}

/** Stage columns taken from the item's instance row; every other one is the ping's field of the same key. */
const instanceField: Partial<Record<string, keyof InstanceRow>> = {
  instanceFirstSeen: "firstSeen",
  instanceLastSeen: "lastSeen",
  instanceVersion: "version",
  instanceOsType: "osType",
  instanceOsRelease: "osRelease",
  instanceOsArch: "osArch",
  instanceLicenseType: "licenseType",
  browserRef: "browserRef",
  keyHash: "keyHash",
};

/** Items staged in pings_incoming through one JSON parameter (store/jsonStage.ts); `fresh` is set by the round, not staged. */
const stage = jsonStage<PingItem>(
  pingsIncoming,
  ({ instance, ping }, key) => {
    const field = instanceField[key];
    return field ? instance[field] : (ping as Record<string, unknown>)[key];
  },
  { fresh: sql`0` },
);

/**
 * Items -> rounds (pure): in order of (day, received_at), a round holds at most one ping per
 * installation, and a day's pings never share a round with a later day's, so a day's
 * rollup_active baseline (made by the round of the day's first ping) follows every earlier-day
 * ping of the batch, as one-by-one writes in time order would.
 */
function rounds(items: PingItem[]): PingItem[][] {
  const ordered = [...items].sort((a, b) =>
    a.ping.day < b.ping.day ? -1 : a.ping.day > b.ping.day ? 1 : a.ping.receivedAt - b.ping.receivedAt,
  );
  const out: PingItem[][] = [];
  let dayStart = 0; // the first round of the current day
  let day: string | undefined;
  let seen = new Map<string, number>();
  for (const item of ordered) {
    if (item.ping.day !== day) {
      day = item.ping.day;
      dayStart = out.length;
      seen = new Map();
    }
    const n = seen.get(item.instance.id) ?? 0;
    seen.set(item.instance.id, n + 1);
    (out[dayStart + n] ??= []).push(item);
  }
  return out;
}

/** The staged row's installation was erased after the ping was received (store/eventErasure.ts keeps the reference ERASURE_HOLD_DAYS). */
const erasedAfterReceipt = erasedAfter(sql.raw("s.browser_ref"), sql.raw("s.received_at"));

/** Columns shared by the stage and `pings`, in `pings`' order. */
const pingColumnList = columnList(pings);

/**
 * The statements that store pings and upsert their instances, set-based: per ROUND (at most one
 * ping per installation and one day; see `rounds`) a fixed
 * list of statements over the round's rows staged in `pings_incoming`, whatever the number of
 * pings, so a queue batch of 100 pings costs ~20 statements, not 15 per ping. Each round is for
 * ONE db.batch (one transaction), in two parts: `keyed` (stage, instances created, keys
 * registered: a caller may read the registered keys right after them) then `store` (the rest, the
 * stage emptied, then the pings' records). Rounds run in order; a round's statements must run
 * back to back.
 *
 * The installation key (`instance.keyHash`: the digest the request proved, or null) is checked
 * inside the transaction: a new instance is created with it; an instance without a key registers
 * it (trust on first use); a ping is stored only when its instance's key is then the one
 * presented (`key_hash IS`, null-safe: keyless pings of keyless instances pass). A repeated uuid
 * or (instance, Idempotency-Key) stores nothing and leaves the instance untouched. Those three
 * tests mark the staged rows `fresh`: everything after reads only fresh rows, so a refused,
 * duplicate or redelivered ping writes nothing. A ping's fact and exception records are inserted
 * only once the ping is stored, deduplicated by their ids. Digests are compared, never keys.
 *
 * An installation erased after the ping was received (its browser reference in erased_refs with
 * an erase time at or after the ping's received_at: a ping still in the queue, or redelivered,
 * when it was erased) is neither recreated nor stored, and registers no key (the instance, if a
 * later ping recreated it, is a new installation's). A ping received after the erase is stored
 * as a new installation's first.
 *
 * The same transaction keeps the rollups of the pings' days current without a cron run
 * (store/activity.ts, store/dayDims.ts, store/dayCube.ts): per (product, day) of the round, the
 * rollup_active row and the day's dims and cube baselines are made if missing; the fresh pings are
 * counted into rollup_active (active-1/7/30 from the installations' activity before the round),
 * moved into rollup_dims and the cube (from the installations' previous values of the day), then
 * merged into instance_activity.
 */
export function pingWrites(db: Db, items: PingItem[]): PingRound[] {
  const incoming = pingsIncoming;
  return rounds(items).map((round) => {
    const days = new Map(round.map((i) => [`${i.ping.product}\n${i.ping.day}`, i.ping] as const));
    const keyed: Statement[] = [
      ...stage.chunks(round).map((json) => db.insert(incoming).select(stage.select(json)).onConflictDoNothing()),
      db.run(sql`INSERT INTO ${instances} (id, product, first_seen, last_seen, version, os_type, os_release, os_arch,
          license_type, ping_count, browser_ref, key_hash)
        SELECT instance_id, product, instance_first_seen, instance_last_seen, instance_version, instance_os_type,
          instance_os_release, instance_os_arch, instance_license_type, 0, browser_ref, key_hash
        FROM ${incoming} s WHERE NOT ${erasedAfterReceipt}
        ON CONFLICT DO NOTHING`),
      // Trust on first use: the first key-bearing ping of a keyless instance registers its key,
      // unless the ping was received before an erase (then the instance is a new installation's).
      db.run(sql`UPDATE ${instances} SET key_hash = s.key_hash FROM ${incoming} s
        WHERE s.instance_id = ${instances}.id AND ${instances}.key_hash IS NULL AND s.key_hash IS NOT NULL
          AND NOT ${erasedAfterReceipt}`),
    ];
    const store: Statement[] = [
      db.run(sql`UPDATE ${incoming} SET fresh = 1 WHERE uuid IN (SELECT s.uuid FROM ${incoming} s
        WHERE EXISTS (SELECT 1 FROM ${instances} i WHERE i.id = s.instance_id AND i.key_hash IS s.key_hash)
          AND NOT ${erasedAfterReceipt}
          AND NOT EXISTS (SELECT 1 FROM ${pings} p WHERE p.uuid = s.uuid)
          AND (s.idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM ${pings} p
            WHERE p.instance_id = s.instance_id AND p.idempotency_key = s.idempotency_key)))`),
      ...[...days.values()].flatMap(({ product, day }) => {
        const allowed = sql`EXISTS (SELECT 1 FROM ${incoming} WHERE ${incoming.product} = ${product} AND ${incoming.day} = ${day} AND ${incoming.fresh} = 1)`;
        return [
          ensureDayDims(db, product, day, allowed),
          ensureDayCube(db, product, day, allowed),
          ensureActiveDay(db, product, day, allowed),
        ];
      }),
      db.run(sql`INSERT INTO ${pings} (${pingColumnList}) SELECT ${pingColumnList} FROM ${incoming} WHERE fresh = 1
        ON CONFLICT DO NOTHING`),
      db.run(sql`UPDATE ${instances} SET last_seen = max(${instances}.last_seen, s.instance_last_seen),
          version = coalesce(s.instance_version, ${instances}.version),
          os_type = coalesce(s.instance_os_type, ${instances}.os_type),
          os_release = coalesce(s.instance_os_release, ${instances}.os_release),
          os_arch = coalesce(s.instance_os_arch, ${instances}.os_arch),
          license_type = coalesce(s.instance_license_type, ${instances}.license_type),
          browser_ref = s.browser_ref, ping_count = ${instances}.ping_count + 1
        FROM ${incoming} s WHERE s.instance_id = ${instances}.id AND s.fresh = 1`),
      countStagedIntoDays(db),
      moveOut(db),
      moveIn(db),
      dropEmpty(db),
      cubeMoveOut(db),
      cubeMoveIn(db),
      cubeDropEmpty(db),
      mergeStagedActivity(db),
      db.delete(incoming),
      ...round.flatMap((i) => (i.records ? recordInserts(db, i.ping.uuid, i.records.facts, i.records.exceptions) : [])),
    ];
    return { items: round, keyed, store };
  });
}

/** Every statement of pingWrites' rounds, in order (for a caller that reads nothing between them). */
export function pingStatements(db: Db, items: PingItem[]): Statement[] {
  return pingWrites(db, items).flatMap((r) => [...r.keyed, ...r.store]);
}

/** The instance's registered key digest, read after pingWrites' key registration. */
export function registeredKey(db: Db, instanceId: string) {
  return db.select({ keyHash: instances.keyHash }).from(instances).where(eq(instances.id, instanceId));
}

/**
 * Stores a ping (pingWrites: one round) in ONE db.batch (one transaction, one round trip), and
 * reads the registered key, the stored submission uuid and the product's release and alerts in
 * the same trip.
 */
export async function recordPing(
  db: Db,
  instance: InstanceRow,
  ping: PingRow,
  records: { facts: FactRow[]; exceptions: ExceptionRow[] } = { facts: [], exceptions: [] },
): Promise<RecordedPing> {
  const keyHash = instance.keyHash ?? null;
  const [round] = pingWrites(db, [{ instance, ping, records }]);
  const { keyed, store } = round!;
  const reads = [
    registeredKey(db, instance.id),
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
  ] as const;
  const [first, ...rest] = keyed;
  const results = await guard("recordPing", () =>
    db.batch([first!, ...rest, reads[0], ...store, reads[1], reads[2], reads[3]]),
  );
  const registered = results[keyed.length] as Array<{ keyHash: string | null }>;
  const at = keyed.length + 1 + store.length;
  const stored = results[at] as Array<{ uuid: string }>;
  const release = results[at + 1] as ReleaseRow[];
  const productAlerts = results[at + 2] as AlertRow[];
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
