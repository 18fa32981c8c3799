import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per installation (the random instanceId it reports). Upserted by every ping.
 * `browser_ref` is the id's one-way browser reference (schema/wire/browserRef.ts): events carry
 * it instead of the id. `key_hash` is the SHA-256 digest of the installation key
 * (schema/wire/instanceKey.ts) registered by its first key-bearing report; null until then.
 */
export const instances = sqliteTable(
  "instances",
  {
    id: text("id").primaryKey(), // lower-case: lookups lower-case theirs (store/instances.ts idKey)
    product: text("product").notNull(),
    firstSeen: integer("first_seen").notNull(), // ms since epoch
    lastSeen: integer("last_seen").notNull(),
    version: text("version"),
    osType: text("os_type"),
    osRelease: text("os_release"),
    osArch: text("os_arch"),
    licenseType: text("license_type"), // the licence TYPE only; the licence id is never stored
    pingCount: integer("ping_count").notNull().default(0),
    browserRef: text("browser_ref"), // null only for rows from before it existed, until their next ping
    keyHash: text("key_hash"), // hex SHA-256 of the installation key; never the key
  },
  (t) => [
    index("instances_product_last_seen").on(t.product, t.lastSeen),
    index("instances_browser_ref").on(t.browserRef),
  ],
);
