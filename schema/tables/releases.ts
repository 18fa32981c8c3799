import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The latest release per product, set through PUT /v1/admin/releases/:product. */
export const releases = sqliteTable("releases", {
  product: text("product").primaryKey(),
  version: text("version").notNull(),
  info: text("info"),
  url: text("url"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Every release ever set per product (PUT /v1/admin/releases/:product appends or refreshes one
 * row per version; DELETE removes a product's history or one version of it): the release
 * markers of the adoption chart and "new in this release" read it. `releasedAt` is when it was
 * first set.
 */
export const releaseHistory = sqliteTable(
  "release_history",
  {
    product: text("product").notNull(),
    version: text("version").notNull(),
    releasedAt: integer("released_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.version] })],
);

/** Security or notice alerts, returned to instances whose version satisfies `affects`. */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    product: text("product").notNull(),
    affects: text("affects").notNull(), // a semver range, e.g. ">=1.0.0 <1.2.3"
    level: text("level", { enum: ["info", "warning", "critical"] }).notNull(),
    message: text("message").notNull(),
    url: text("url"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("alerts_product").on(t.product)],
);
