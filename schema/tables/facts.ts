import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { instances } from "./instances";

/** Fact records from the instance client (Firefly III's model), deduplicated by client id. */
export const facts = sqliteTable(
  "facts",
  {
    id: text("id").primaryKey(), // client-generated
    instanceId: text("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["feature", "recurring"] }).notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
    collectedAt: integer("collected_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    day: text("day").notNull(),
  },
  (t) => [index("facts_instance").on(t.instanceId), index("facts_key_day").on(t.key, t.day)],
);

/** Exception reports, scrubbed by scrubException (worker/pipeline/privacy) whatever their source, grouped by fingerprint. */
export const exceptions = sqliteTable(
  "exceptions",
  {
    id: text("id").primaryKey(), // client-generated
    instanceId: text("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    fingerprint: text("fingerprint").notNull(), // hash of type + top stack frames
    type: text("type").notNull(),
    message: text("message"),
    stack: text("stack"),
    version: text("version"),
    collectedAt: integer("collected_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    day: text("day").notNull(),
  },
  (t) => [
    index("exceptions_instance").on(t.instanceId),
    index("exceptions_fingerprint").on(t.fingerprint),
    index("exceptions_day").on(t.day),
  ],
);
