import { and, desc, eq } from "drizzle-orm";
import { alerts, releaseHistory, releases } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { invalidateNotices } from "./notices";

export type NewRelease = typeof releases.$inferInsert;
export type NewAlert = typeof alerts.$inferInsert;

/**
 * Sets the latest release of a product (insert or replace) and appends it to the product's release
 * history (a version already there keeps its first time), in one batch.
 */
export async function putRelease(db: Db, row: NewRelease) {
  const [[saved]] = await guard("putRelease", () =>
    db.batch([
      db.insert(releases).values(row).onConflictDoUpdate({ target: releases.product, set: row }).returning(),
      db
        .insert(releaseHistory)
        .values({ product: row.product, version: row.version, releasedAt: row.updatedAt })
        .onConflictDoNothing(),
    ]),
  );
  invalidateNotices();
  return saved!;
}

/** A product's release history (every version ever set, when first set), oldest first. */
export async function releaseHistoryOf(db: Db, product: string) {
  return guard("releaseHistory", () =>
    db
      .select({ version: releaseHistory.version, releasedAt: releaseHistory.releasedAt })
      .from(releaseHistory)
      .where(eq(releaseHistory.product, product))
      .orderBy(releaseHistory.releasedAt, releaseHistory.version),
  );
}

export async function listReleases(db: Db) {
  return guard("listReleases", () => db.select().from(releases).orderBy(releases.product));
}

export async function createAlert(db: Db, row: NewAlert) {
  const [saved] = await guard("createAlert", () => db.insert(alerts).values(row).returning());
  invalidateNotices();
  return saved!;
}

export async function listAlerts(db: Db) {
  return guard("listAlerts", () => db.select().from(alerts).orderBy(desc(alerts.createdAt)));
}

/** Deletes an alert; returns whether it existed. */
export async function deleteAlert(db: Db, id: string): Promise<boolean> {
  const gone = await guard("deleteAlert", () =>
    db.delete(alerts).where(eq(alerts.id, id)).returning({ id: alerts.id }),
  );
  invalidateNotices();
  return gone.length > 0;
}

/**
 * Deletes a product's release and its whole release history (its installations are no longer told
 * to upgrade), in one batch; returns whether anything existed.
 */
export async function deleteRelease(db: Db, product: string): Promise<boolean> {
  const [current, history] = await guard("deleteRelease", () =>
    db.batch([
      db.delete(releases).where(eq(releases.product, product)).returning({ product: releases.product }),
      db
        .delete(releaseHistory)
        .where(eq(releaseHistory.product, product))
        .returning({ version: releaseHistory.version }),
    ]),
  );
  invalidateNotices();
  return current.length + history.length > 0;
}

/**
 * Deletes one version from a product's release history and, when it is the current release, the
 * current release too (installations are then told of no update until the next PUT), in one
 * batch; returns whether anything existed.
 */
export async function deleteReleaseVersion(db: Db, product: string, version: string): Promise<boolean> {
  const [history, current] = await guard("deleteReleaseVersion", () =>
    db.batch([
      db
        .delete(releaseHistory)
        .where(and(eq(releaseHistory.product, product), eq(releaseHistory.version, version)))
        .returning({ version: releaseHistory.version }),
      db
        .delete(releases)
        .where(and(eq(releases.product, product), eq(releases.version, version)))
        .returning({ product: releases.product }),
    ]),
  );
  invalidateNotices();
  return current.length + history.length > 0;
}
