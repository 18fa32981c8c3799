import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Release health from Sentry SDKs: one row per session (a `session` item's `sid`, updated as the
 * SDK reports its outcome) or per minute bucket of a `sessions` aggregate (sentry-python), whose
 * id is a hash of its content because Sentry gives it none. No installation, user or IP: the
 * counts belong to a release (`version`). A session row counts 1; an aggregate bucket its total.
 * `errored` excludes `crashed` and `abnormal` (Sentry's definitions).
 */
export const releaseSessions = sqliteTable(
  "release_sessions",
  {
    id: text("id").primaryKey(),
    product: text("product").notNull(),
    version: text("version").notNull(),
    startedAt: integer("started_at").notNull(), // client time (clamped), ms
    sessions: integer("sessions").notNull(),
    errored: integer("errored").notNull(),
    crashed: integer("crashed").notNull(),
    abnormal: integer("abnormal").notNull(),
    receivedAt: integer("received_at").notNull(), // first receipt
    day: text("day").notNull(), // UTC day of the first receipt
  },
  (t) => [index("release_sessions_day").on(t.day)],
);

/**
 * What Sentry SDKs report they dropped (`client_report` items): one row per discarded-events
 * entry; the id is a hash of the product, the report and the entry's position (reports carry no id).
 */
export const clientReports = sqliteTable(
  "client_reports",
  {
    id: text("id").primaryKey(),
    product: text("product").notNull(),
    category: text("category").notNull(),
    reason: text("reason").notNull(),
    quantity: integer("quantity").notNull(),
    receivedAt: integer("received_at").notNull(),
    day: text("day").notNull(),
  },
  (t) => [index("client_reports_day").on(t.day)],
);
