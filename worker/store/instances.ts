import { and, eq, getTableColumns, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { browserRef } from "../../schema";
import { erasedRefs, events, exceptions, facts, instances, pings } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";
import { eraseActivity } from "./activity";

/**
 * What the admin API shows of an instance: every column but the key digest, which never leaves
 * the database; `keyRegistered` says whether the installation has registered a key.
 */
// The country of its last ping (one seek of the (instance_id, received_at) index per row); null once its pings have expired (RETENTION_DAYS) or
// when Cloudflare gave none.
const lastCountry = sql<
  string | null
>`(SELECT p.country FROM ${pings} p WHERE p.instance_id = ${instances.id} ORDER BY p.received_at DESC LIMIT 1)`;

const shown = (() => {
  const { keyHash, ...columns } = getTableColumns(instances);
  return {
    ...columns,
    keyRegistered: sql<boolean>`(${keyHash} IS NOT NULL)`.mapWith(Boolean),
    country: lastCountry,
  };
})();

/** Filters of the installations list (all optional, ANDed). */
export interface InstanceFilter {
  product?: string | undefined;
  version?: string | undefined;
  licenseType?: string | undefined;
  /** The country of its last ping, as the list shows it ('' = unknown: none, or its pings expired). */
  country?: string | undefined;
  /** Start of the id or version, or any part of the OS type / release (LIKE, case-insensitive for ASCII). */
  q?: string | undefined;
}

/** LIKE with the user's text taken literally (%, _ and \ escaped). */
const like = (column: SQLiteColumn, pattern: string) => sql`${column} LIKE ${pattern} ESCAPE '\\'`;
const literal = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Newest-seen-first page of instances; cursor is the last row's (lastSeen, id). */
export async function listInstances(db: Db, limit: number, after?: Cursor, filter: InstanceFilter = {}) {
  const page = newestFirst(instances.lastSeen, instances.id, after);
  const q = filter.q ? literal(filter.q) : undefined;
  const where = and(
    page.after,
    filter.product ? eq(instances.product, filter.product) : undefined,
    filter.version ? eq(instances.version, filter.version) : undefined,
    filter.licenseType ? eq(instances.licenseType, filter.licenseType) : undefined,
    filter.country === undefined ? undefined : sql`coalesce(${lastCountry}, '') = ${filter.country}`,
    q
      ? or(
          like(instances.id, `${q}%`),
          like(instances.version, `${q}%`),
          like(instances.osType, `%${q}%`),
          like(instances.osRelease, `%${q}%`),
        )
      : undefined,
  );
  return guard("listInstances", () =>
    db
      .select(shown)
      .from(instances)
      .where(where)
      .orderBy(...page.order)
      .limit(limit),
  );
}

/**
 * Instance ids are stored lower-case (the wire schema lower-cases them): every lookup and erase
 * here lower-cases the id it is given, so any spelling finds the installation.
 */
export const idKey = (id: string) => id.toLowerCase();

export async function getInstance(db: Db, anyCaseId: string) {
  const id = idKey(anyCaseId);
  const rows = await guard("getInstance", () => db.select(shown).from(instances).where(eq(instances.id, id)).limit(1));
  return rows[0];
}

/** The digest of the installation's registered key; null when it has none or does not exist. */
export async function registeredKeyHash(db: Db, anyCaseId: string): Promise<string | null> {
  const id = idKey(anyCaseId);
  const rows = await guard("registeredKeyHash", () =>
    db.select({ keyHash: instances.keyHash }).from(instances).where(eq(instances.id, id)).limit(1),
  );
  return rows[0]?.keyHash ?? null;
}

/**
 * The statements that erase an installation and every row that references it: pings, facts,
 * exceptions and its activity (instance_activity) by its id, frontend events by its browser
 * reference, then the instance (its RETURNING, result 5, says whether it existed); last, the
 * reference is recorded in erased_refs so its archived events (R2) leave every export at once
 * and the cron removes them from the archive (store/eventErasure.ts). Child tables are deleted
 * explicitly (not only by ON DELETE CASCADE) so the erase does not depend on the foreign_keys
 * pragma. `allowed`, when given, is ANDed into every statement.
 */
async function eraseStatements(db: Db, anyCaseId: string, now: number, allowed?: SQL) {
  const id = idKey(anyCaseId);
  const ref = await browserRef(id);
  const where = (condition: SQL) => (allowed ? and(condition, allowed) : condition);
  return [
    db.delete(pings).where(where(eq(pings.instanceId, id))),
    db.delete(facts).where(where(eq(facts.instanceId, id))),
    db.delete(exceptions).where(where(eq(exceptions.instanceId, id))),
    db.delete(events).where(where(eq(events.instanceRef, ref))),
    eraseActivity(db, id, allowed),
    db
      .delete(instances)
      .where(where(eq(instances.id, id)))
      .returning({ id: instances.id }),
    db
      .insert(erasedRefs)
      .select(sql`SELECT ${ref}, ${now} WHERE ${allowed ?? sql`true`}`)
      .onConflictDoUpdate({ target: erasedRefs.ref, set: { erasedAt: now } }),
  ] as const;
}

/** The maintainer's erase: unconditional, in one batch. Returns whether the instance existed. */
export async function eraseInstance(db: Db, id: string, now: number): Promise<boolean> {
  const statements = await eraseStatements(db, id, now);
  const results = await guard("eraseInstance", () => db.batch(statements));
  return results[5].length > 0;
}

/**
 * The installation's own erase, in one batch, only while its registered key digest is still
 * `expected` (the one the caller verified; null: no key registered, or no such instance): every
 * statement carries the condition, so a key registered after the check makes the batch erase
 * nothing. Returns false in that case (the caller refuses), true otherwise.
 */
export async function eraseInstanceIfKey(
  db: Db,
  anyCaseId: string,
  expected: string | null,
  now: number,
): Promise<boolean> {
  const id = idKey(anyCaseId);
  const unchanged = sql`NOT EXISTS (SELECT 1 FROM ${instances} WHERE ${instances.id} = ${id} AND ${instances.keyHash} IS NOT ${expected})`;
  const statements = await eraseStatements(db, id, now, unchanged);
  const results = await guard("eraseInstanceIfKey", () =>
    db.batch([...statements, db.select({ keyHash: instances.keyHash }).from(instances).where(eq(instances.id, id))]),
  );
  const left = results[7];
  return left.length === 0 || left[0]!.keyHash === expected;
}
