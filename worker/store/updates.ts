import { desc, eq } from "drizzle-orm";
import { alerts, releases } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { invalidateNotices } from "./notices";

export type NewRelease = typeof releases.$inferInsert;
export type NewAlert = typeof alerts.$inferInsert;

/** Sets the latest release of a product (insert or replace). */
export async function putRelease(db: Db, row: NewRelease) {
  const [saved] = await guard("putRelease", () =>
    db.insert(releases).values(row).onConflictDoUpdate({ target: releases.product, set: row }).returning(),
  );
  invalidateNotices();
  return saved!;
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

/** Deletes a product's release (its installations are no longer told to upgrade); returns whether it existed. */
export async function deleteRelease(db: Db, product: string): Promise<boolean> {
  const gone = await guard("deleteRelease", () =>
    db.delete(releases).where(eq(releases.product, product)).returning({ product: releases.product }),
  );
  return gone.length > 0;
}
