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

/**
 * Exception reports, scrubbed by scrubException (worker/pipeline/privacy) whatever their source,
 * grouped by fingerprint: from the instance client (always with an installation) and from Sentry
 * SDKs (an installation only when the event names a UUID user, else null: FlowFuse's backend
 * reports per release). `product` is set by Sentry rows (null on instance-client rows: the
 * instance's product applies).
 */
export const exceptions = sqliteTable(
  "exceptions",
  {
    id: text("id").primaryKey(), // client-generated (instance client) or the Sentry event id
    instanceId: text("instance_id").references(() => instances.id, { onDelete: "cascade" }),
    product: text("product"),
    fingerprint: text("fingerprint").notNull(), // hash of type + top stack frames
    type: text("type").notNull(),
    message: text("message"),
    stack: text("stack"),
    version: text("version"),
    /** Sentry `mechanism.handled` (false: the exception crashed the process or request); null when not said. */
    handled: integer("handled", { mode: "boolean" }),
    /** Sentry `level: fatal`. */
    fatal: integer("fatal", { mode: "boolean" }),
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
