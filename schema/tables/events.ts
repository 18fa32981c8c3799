import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The columns of a stored event (one builder set per table: drizzle builders are not shared). */
function eventColumns() {
  return {
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
    // The country of the installation `instance_ref` names, as its pings last reported it (the
    // coarse request.cf country pings keep) when the event was stored; null = unknown (no
    // reference, or no ping yet). Never the browser's own location. Set by the event writer
    // (worker/store/eventWrites.ts), so the cron's rebuild reads the same value.
    country: text("country"),
    durationMs: integer("duration_ms"), // $pageleave: time spent on the page
    props: text("props", { mode: "json" }).$type<Record<string, string | number | boolean>>(),
  };
}

/**
 * Frontend events from posthog-js / the Candor snippet, reduced to an allow-list.
 * Never stored: IP, raw User-Agent, full URLs (query and fragment), referrer paths, licence id.
 * D1 keeps them for EVENTS_D1_DAYS (dedupe by uuid, the cron's rebuild of recent days); the
 * archive in R2 (worker/store/eventArchive.ts) keeps them for exports.
 */
export const events = sqliteTable(
  "events",
  {
    ...eventColumns(),
    // 1 once the row is in the R2 archive (or in the outbox on its way there): the event writer
    // stores 1; rows stored before the archive existed hold the default 0 until the cron
    // archives them (store/eventArchive.ts backfillArchive).
    archived: integer("archived").notNull().default(0),
  },
  (t) => [
    // No (product, day) index: the export reads R2 and the custom-events view reads rollups.
    index("events_day").on(t.day), // retention deletes seek by day
    // The cron's backfill finds the rows not yet archived (only those: empty once it is done).
    index("events_unarchived")
      .on(t.day)
      .where(sql`${t.archived} = 0`),
    index("events_received").on(t.receivedAt),
    index("events_session").on(t.sessionId),
    index("events_instance_ref").on(t.instanceRef),
  ],
);

/**
 * The rows of ONE event write that are new (their uuid not yet in `events`), staged inside the
 * write's transaction so the counters and the insert read them once: filled, read, moved to
 * `events` and emptied by the same db.batch (worker/store/eventWrites.ts), so it is empty
 * between transactions.
 */
export const eventsIncoming = sqliteTable("events_incoming", eventColumns());

/**
 * Sessions ('s') and visitors ('v') already counted for a product and day: the incremental
 * counters add only ids not seen yet, so distinct counts stay exact across batches. A session row
 * also keeps the session's first and last `$pageview` of the day so far, ordered by (t, uuid) with
 * t = coalesce(timestamp, received_at) as the cron's pagesSql orders them: the writer moves the
 * page's entry (exit) count when a new first (last) view arrives, so entries and exits are exact
 * whatever order the events come in. Keyed by day first: the cron prunes it by day (a range of
 * the primary key) once the day is out of the dedupe horizon and of EVENTS_D1_DAYS.
 */
export const eventSeen = sqliteTable(
  "event_seen",
  {
    day: text("day").notNull(),
    product: text("product").notNull(),
    kind: text("kind", { enum: ["s", "v"] }).notNull(),
    id: text("id").notNull(),
    firstT: integer("first_t"),
    firstUuid: text("first_uuid"),
    firstPath: text("first_path"),
    lastT: integer("last_t"),
    lastUuid: text("last_uuid"),
    lastPath: text("last_path"),
  },
  (t) => [primaryKey({ columns: [t.day, t.product, t.kind, t.id] })],
);

/**
 * event_seen per full breakdown slice (worker/store/eventSlices.ts): the sessions and visitors
 * already counted for a product and day, once per (app_version, license_type, country) their
 * events carried ('' = unknown), with a session's first and last `$pageview` inside that slice.
 * A filter that fixes only some of the three reads every row of the id that matches it (a prefix
 * of the key, then a few rows): seen under the filter = any matching row; its first view = the
 * earliest matching row's. One row per session and slice (most sessions: one), not one per filter
 * combination. Pruned with event_seen.
 */
export const eventSeenSlices = sqliteTable(
  "event_seen_slices",
  {
    day: text("day").notNull(),
    product: text("product").notNull(),
    kind: text("kind", { enum: ["s", "v"] }).notNull(),
    id: text("id").notNull(),
    appVersion: text("app_version").notNull(),
    licenseType: text("license_type").notNull(),
    country: text("country").notNull(),
    firstT: integer("first_t"),
    firstUuid: text("first_uuid"),
    firstPath: text("first_path"),
    lastT: integer("last_t"),
    lastUuid: text("last_uuid"),
    lastPath: text("last_path"),
  },
  (t) => [primaryKey({ columns: [t.day, t.product, t.kind, t.id, t.appVersion, t.licenseType, t.country] })],
);

/**
 * uuids of the events stored on each day of the dedupe horizon (EVENT_DEDUPE_DAYS,
 * worker/store/eventWrites.ts): the writer stages only rows whose uuid is not here, so a resent
 * event adds nothing even when D1 keeps no raw events (EVENTS_D1_DAYS = 0). The uuid as its 16
 * bytes, the day first (the cron deletes whole days, a range of the key; a lookup is one seek per
 * horizon day), and WITHOUT ROWID (migration 0016, a custom one: drizzle-kit cannot declare it):
 * measured with dbstat, 36 B per id against 59 B (text uuid) and 75-118 B with a rowid.
 */
export const eventIds = sqliteTable(
  "event_ids",
  {
    day: text("day").notNull(),
    id: blob("id", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.id] })],
);

/**
 * The archive's outbox: stored events whose R2 object (`object_key`) is not confirmed
 * yet. Inserted by the same transaction as the rows (uuids = a JSON array of theirs), deleted by
 * the writer once the object is in R2; the cron puts what a failed put or a crash left behind,
 * so every stored event reaches the archive exactly once (worker/store/eventArchive.ts).
 */
export const eventArchivePending = sqliteTable("event_archive_pending", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  objectKey: text("object_key").notNull(),
  product: text("product").notNull(),
  day: text("day").notNull(),
  uuids: text("uuids").notNull(),
  // The object's events as a JSON array of archive lines (store/eventArchive.ts), so the cron can
  // put it without reading `events` (empty when EVENTS_D1_DAYS = 0). NULL on rows written before
  // this column: the cron then reads their events from D1.
  rows: text("rows"),
  createdAt: integer("created_at").notNull(),
});

/**
 * Which archive objects hold events of which browser reference, and the earliest `received_at`
 * of that reference's events in the object, so erasing an installation finds the objects to
 * rewrite without reading the archive: exactly the rows with first_received_at <= erased_at.
 * Kept true at all times (a row per reference an object holds, none for one it does not): the
 * writer and the backfill add a row per reference and object in the transaction that stores
 * the rows, compaction moves them to the compacted object (the minimum of its sources), and the
 * erasure's rewrite sets each row to what the rewritten object still holds (store/eventErasure.ts).
 */
export const eventArchiveRefs = sqliteTable(
  "event_archive_refs",
  {
    instanceRef: text("instance_ref").notNull(),
    objectKey: text("object_key").notNull(),
    // ms since epoch. 0 = unknown (rows indexed before this column): an erase of the reference
    // then rewrites the object, which sets the true value.
    firstReceivedAt: integer("first_received_at").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.instanceRef, t.objectKey] }), index("event_archive_refs_object").on(t.objectKey)],
);

/**
 * Browser references of erased installations, ERASURE_HOLD_DAYS at least: the export leaves
 * their events (received up to `erased_at`) out at once, and the cron rewrites the objects whose
 * index rows say they hold such events (event_archive_refs.first_received_at <= erased_at), then
 * deletes the row once none is left and the hold is over. A second erase of the reference moves
 * `erased_at` on.
 */
export const erasedRefs = sqliteTable("erased_refs", {
  ref: text("ref").primaryKey(),
  erasedAt: integer("erased_at").notNull(),
});
