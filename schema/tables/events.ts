import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Frontend events from posthog-js / the Candor snippet, reduced to an allow-list.
 * Never stored: IP, raw User-Agent, full URLs (query and fragment), referrer paths, licence id.
 */
export const events = sqliteTable(
  "events",
  {
    uuid: text("uuid").primaryKey(), // posthog's event uuid: retries resend it, so it dedupes
    product: text("product").notNull(), // from the project token
    event: text("event").notNull(),
    timestamp: integer("timestamp"), // client time, ms since epoch
    receivedAt: integer("received_at").notNull(),
    day: text("day").notNull(), // UTC YYYY-MM-DD of receivedAt
    distinctId: text("distinct_id"),
    sessionId: text("session_id"),
    path: text("path"), // pathname without query/fragment, or the snippet's route template
    referrerDomain: text("referrer_domain"),
    browser: text("browser"), // family only
    os: text("os"), // family only
    lib: text("lib"),
    libVersion: text("lib_version"),
    // The installation's browser reference (candor_instance_ref), never its id; joins
    // instances.browser_ref. No FK: a console may load before the installation's first ping.
    instanceRef: text("instance_ref"),
    appVersion: text("app_version"),
    licenseType: text("license_type"),
    durationMs: integer("duration_ms"), // $pageleave: time spent on the page
    props: text("props", { mode: "json" }).$type<Record<string, string | number | boolean>>(),
  },
  (t) => [
    index("events_product_day").on(t.product, t.day),
    index("events_day").on(t.day), // exports without product= and retention deletes seek by day
    index("events_received").on(t.receivedAt),
    index("events_session").on(t.sessionId),
    index("events_instance_ref").on(t.instanceRef),
  ],
);
