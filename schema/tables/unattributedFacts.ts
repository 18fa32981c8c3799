import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Facts that cannot be attributed to an installation: Firefly III 5.2.7/5.2.8 gave every
 * installation the same id (a UUIDv5 of a constant), and rows stored without a configured id say
 * "empty". They never create an instance and count only in aggregate figures (rollup_dims,
 * dim 'fact_unattributed'). `id` is derived from the row, so a resent batch stores nothing new.
 */
export const unattributedFacts = sqliteTable(
  "unattributed_facts",
  {
    id: text("id").primaryKey(),
    product: text("product").notNull(),
    kind: text("kind", { enum: ["feature", "recurring"] }).notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
    collectedAt: integer("collected_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    day: text("day").notNull(),
  },
  (t) => [index("unattributed_facts_day").on(t.day)],
);
