import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per installation (the random instanceId it reports). Upserted by every ping. */
export const instances = sqliteTable(
  "instances",
  {
    id: text("id").primaryKey(),
    product: text("product").notNull(),
    firstSeen: integer("first_seen").notNull(), // ms since epoch
    lastSeen: integer("last_seen").notNull(),
    version: text("version"),
    osType: text("os_type"),
    osRelease: text("os_release"),
    osArch: text("os_arch"),
    licenseType: text("license_type"), // the licence TYPE only; the licence id is never stored
    pingCount: integer("ping_count").notNull().default(0),
  },
  (t) => [index("instances_product_last_seen").on(t.product, t.lastSeen)],
);
