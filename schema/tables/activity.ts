import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { instances } from "./instances";

/**
 * Which recent days each installation pinged, per product: the source of active-1/7/30 (and of
 * the facts' "active in the 30 days"), so no rollup rescans a 30-day window of raw pings.
 * `seen` is a bitmask: bit k set = the installation pinged on day `last_day - k`, k in 0..61
 * (worker/store/activity.ts: ACTIVITY_BITS; the sign bit is never used). Written by every ping
 * write (store/pings.ts pingWrites), in the ping's transaction; erased with the installation.
 *
 * Primary key (instance_id, product): the ping's upsert, the erase (by installation) and the
 * facts rollup (is this installation active?) look a row up by installation; the
 * (product, last_day, seen) index serves the rollups' range reads ("active since day X"), which
 * it covers.
 */
export const instanceActivity = sqliteTable(
  "instance_activity",
  {
    instanceId: text("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    product: text("product").notNull(),
    /** The newest UTC day (YYYY-MM-DD) the installation pinged. */
    lastDay: text("last_day").notNull(),
    seen: integer("seen").notNull(),
    /**
     * The installation's state on `last_day`: its last ping of that day (the latest received_at,
     * then uuid, as the rollups order it) and that ping's values of the simple dimensions, so a
     * newer ping of the day can move its count in rollup_dims from the old values to the new.
     * Null only for rows from before the state existed.
     */
    stateAt: integer("state_at"),
    stateUuid: text("state_uuid"),
    version: text("version"),
    licenseType: text("license_type"),
    country: text("country"),
    osType: text("os_type"),
    osArch: text("os_arch"),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.product] }),
    // seen too: the range reads are covered by the index (no table row read per installation).
    index("instance_activity_product_last_day").on(t.product, t.lastDay, t.seen),
  ],
);
