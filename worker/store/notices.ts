import { eq } from "drizzle-orm";
import { alerts, releases } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { AlertRow, ReleaseRow } from "./pings";

export interface ProductNotices {
  release: ReleaseRow | undefined;
  alerts: AlertRow[];
}

/**
 * How long an isolate keeps a product's release and alerts (ms). Admin writes clear this
 * isolate's copy at once (invalidateNotices); other isolates see the change within this bound.
 * An in-isolate copy costs no subrequest at all (KV or the Cache API would cost one per ping).
 */
export const NOTICE_TTL_MS = 30_000;

/**
 * Per-isolate cache, product -> (notices, read at). Not request state: the same value for every
 * request until it expires or an admin write clears it. Bounded by the number of products.
 */
const cache = new Map<string, { notices: ProductNotices; at: number }>();

/** The product's release and alerts: from this isolate's copy when fresh, else two reads in one batch. */
export async function productNotices(db: Db, product: string, now: number): Promise<ProductNotices> {
  const hit = cache.get(product);
  if (hit && now - hit.at < NOTICE_TTL_MS && now >= hit.at) return hit.notices;
  const [release, productAlerts] = await guard("productNotices", () =>
    db.batch([
      db.select().from(releases).where(eq(releases.product, product)),
      db.select().from(alerts).where(eq(alerts.product, product)),
    ]),
  );
  const notices = { release: release[0], alerts: productAlerts };
  cache.set(product, { notices, at: now });
  return notices;
}

/** Forgets every cached copy in this isolate (called by the release and alert writes). */
export function invalidateNotices(): void {
  cache.clear();
}
