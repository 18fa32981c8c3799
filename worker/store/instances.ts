import { eq } from "drizzle-orm";
import { events, exceptions, facts, instances, pings } from "../../schema/tables";
import type { Db } from "./db";
import { newestFirst } from "./keyset";
import type { Cursor } from "../lib/cursor";
import { guard } from "./db";

/** Newest-seen-first page of instances; cursor is the last row's (lastSeen, id). */
export async function listInstances(db: Db, limit: number, after?: Cursor) {
  const page = newestFirst(instances.lastSeen, instances.id, after);
  return guard("listInstances", () =>
    db
      .select()
      .from(instances)
      .where(page.after)
      .orderBy(...page.order)
      .limit(limit),
  );
}

export async function getInstance(db: Db, id: string) {
  const rows = await guard("getInstance", () => db.select().from(instances).where(eq(instances.id, id)).limit(1));
  return rows[0];
}

/**
 * Erases an installation and every row that references it, in one batch. Child tables are
 * deleted explicitly (not only by ON DELETE CASCADE) so the erase does not depend on the
 * foreign_keys pragma. Returns whether the instance existed.
 */
export async function eraseInstance(db: Db, id: string): Promise<boolean> {
  const results = await guard("eraseInstance", () =>
    db.batch([
      db.delete(pings).where(eq(pings.instanceId, id)),
      db.delete(facts).where(eq(facts.instanceId, id)),
      db.delete(exceptions).where(eq(exceptions.instanceId, id)),
      db.delete(events).where(eq(events.instanceId, id)),
      db.delete(instances).where(eq(instances.id, id)).returning({ id: instances.id }),
    ]),
  );
  return results[4].length > 0;
}
