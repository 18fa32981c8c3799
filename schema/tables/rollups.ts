import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Daily rollups, rebuilt by the cron (worker/pipeline/rollup) from raw rows and kept after the raw
 * rows are deleted. Every table is keyed (product, day, ...) so a stats query reads a slice of
 * the primary key whose size grows with the days asked for, never with the pings stored.
 * Unknown values are stored as '' (primary-key columns are NOT NULL).
 */

/** Installations seen on the day, in the 7 and 30 days ending with it, and raw pings that day. */
export const rollupActive = sqliteTable(
  "rollup_active",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    active1: integer("active1").notNull(),
    active7: integer("active7").notNull(),
    active30: integer("active30").notNull(),
    pings: integer("pings").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day] })],
);

/**
 * Installations per value of a dimension on the day (each installation counted once, by its last
 * ping of the day). dim: version | os_type | os_arch | os | license | country | runtime (key =
 * env key) | fact (key = fact key; installations active in the 30 days, by their latest value; the
 * top 50 values per key and day, the rest summed as "(other)") | fact_unattributed (facts that name
 * no installation, received that day: `installations` holds their number). Keyed (product, dim,
 * day, ...): a stat reads only its own dimension's rows.
 */
export const rollupDims = sqliteTable(
  "rollup_dims",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    dim: text("dim").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
    installations: integer("installations").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.dim, t.day, t.key, t.value] })],
);

/**
 * The breakdown cube: installations per (version, license_type, country, os_type, os_arch) on the
 * day, each counted once by its last ping of the day (built from that day's own rows only). It
 * serves every filtered figure (?version=&license_type=&country=): filtered distributions,
 * versions adoption and active-1. Keyed (product, day, ...): a stat reads a slice of its days.
 */
export const rollupCube = sqliteTable(
  "rollup_cube",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    version: text("version").notNull(),
    licenseType: text("license_type").notNull(),
    country: text("country").notNull(),
    osType: text("os_type").notNull(),
    osArch: text("os_arch").notNull(),
    installations: integer("installations").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.version, t.licenseType, t.country, t.osType, t.osArch] })],
);

/**
 * kind 'count': a platform.counts key (reporting installations, sum, median, p90 of their values).
 * kind 'flag': a boolean platform.config leaf, dotted path (reporting, total = installations on).
 * kind 'dropped': Sentry client reports, key `<category>/<reason>` (reporting = reports, total = items dropped).
 */
export const rollupMetrics = sqliteTable(
  "rollup_metrics",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    kind: text("kind", { enum: ["count", "flag", "dropped"] }).notNull(),
    key: text("key").notNull(),
    reporting: integer("reporting").notNull(),
    total: real("total").notNull(),
    median: real("median"),
    p90: real("p90"),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.kind, t.key] })],
);

/**
 * Exception reports per fingerprint and version on the day. first_at/last_at are server receive
 * times; day_installations = distinct installations reporting the fingerprint that day over all
 * versions (the same on each version row: an installation on two versions counts once).
 */
export const rollupExceptions = sqliteTable(
  "rollup_exceptions",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    fingerprint: text("fingerprint").notNull(),
    version: text("version").notNull(),
    type: text("type").notNull(),
    message: text("message"),
    occurrences: integer("occurrences").notNull(),
    installations: integer("installations").notNull(),
    dayInstallations: integer("day_installations").notNull().default(0),
    firstAt: integer("first_at").notNull(),
    lastAt: integer("last_at").notNull(),
    /** Reports that crashed (Sentry `handled: false` or level `fatal`). */
    crashes: integer("crashes").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.product, t.day, t.fingerprint, t.version] }),
    index("rollup_exceptions_fingerprint").on(t.product, t.fingerprint),
  ],
);

/**
 * Exceptions by the reporting installation's slice of the day (the licence type and country of
 * its last ping of that day, '' = unknown), per fingerprint and report version: what the
 * exceptions answers read under a licence/country filter. Reports without an installation
 * (Sentry) or whose installation did not ping that day belong to no slice and have no row.
 * `installations`: distinct installations of the row; `day_installations`: distinct
 * installations of the fingerprint in the slice that day, any version (repeated on each version's
 * row). An installation is in one slice per day, so both add up across slices.
 */
export const rollupExceptionSlices = sqliteTable(
  "rollup_exception_slices",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    fingerprint: text("fingerprint").notNull(),
    version: text("version").notNull(),
    licenseType: text("license_type").notNull(),
    country: text("country").notNull(),
    occurrences: integer("occurrences").notNull(),
    installations: integer("installations").notNull(),
    dayInstallations: integer("day_installations").notNull(),
    crashes: integer("crashes").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.product, t.day, t.fingerprint, t.version, t.licenseType, t.country] }),
    index("rollup_exception_slices_fingerprint").on(t.product, t.fingerprint),
  ],
);

/**
 * Release health per version and day (Sentry sessions received that day): sessions, and those
 * that errored, crashed or ended abnormally. Crash-free share = 1 - crashed / sessions.
 */
export const rollupSessions = sqliteTable(
  "rollup_sessions",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    version: text("version").notNull(),
    sessions: integer("sessions").notNull(),
    errored: integer("errored").notNull(),
    crashed: integer("crashed").notNull(),
    abnormal: integer("abnormal").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.version] })],
);

/**
 * FerretDB command results per version on the day, from each installation's last ping of the
 * day (its command_metrics, opcodes summed): installations reporting the combination and the sum
 * of their counts (FerretDB's counters run since each instance started). At most
 * COMMAND_ROWS_PER_DAY rows per product and day (by installations), the rest dropped.
 */
export const rollupCommands = sqliteTable(
  "rollup_commands",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    version: text("version").notNull(),
    command: text("command").notNull(),
    argument: text("argument").notNull(),
    result: text("result").notNull(),
    installations: integer("installations").notNull(),
    total: real("total").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.version, t.command, t.argument, t.result] })],
);

/** Durations histogram: whole seconds (< 600 s), then minutes (< 1 h), then 3600 = "1 h or more". */
export type DurationHistogram = Record<string, number>;

/** Frontend totals per day; durations = histogram of every $pageleave duration that day. */
export const rollupFrontend = sqliteTable(
  "rollup_frontend",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    events: integer("events").notNull(),
    pageviews: integer("pageviews").notNull(),
    pageleaves: integer("pageleaves").notNull(),
    sessions: integer("sessions").notNull(),
    visitors: integer("visitors").notNull(),
    durations: text("durations", { mode: "json" }).$type<DurationHistogram>(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day] })],
);

/** Per page and day (top 500 pages by pageviews): views, session entries/exits, leave durations. */
export const rollupPages = sqliteTable(
  "rollup_pages",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    path: text("path").notNull(),
    pageviews: integer("pageviews").notNull(),
    entries: integer("entries").notNull(),
    exits: integer("exits").notNull(),
    leaves: integer("leaves").notNull(),
    durations: text("durations", { mode: "json" }).$type<DurationHistogram>(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.path] })],
);

/**
 * Custom events (names not starting with "$") per day and app version ('' = unknown): counted by
 * the event writer as events arrive (new uuids only), rebuilt by the cron from the day's raw rows.
 */
export const rollupEvents = sqliteTable(
  "rollup_events",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    event: text("event").notNull(),
    appVersion: text("app_version").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.event, t.appVersion] })],
);

/**
 * Property values of custom events per day: events carrying `key` = `value` (as text). The writer
 * adds every pair it sees; the cron's rebuild of a day keeps the top EVENT_PROPS_PER_EVENT pairs
 * per event (values are free text).
 */
export const rollupEventProps = sqliteTable(
  "rollup_event_props",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    event: text("event").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.event, t.key, t.value] })],
);

/**
 * The breakdown slices of the frontend rollups (?version=&license_type=&country= on the frontend
 * and custom-events answers; worker/store/eventSlices.ts). Each event counts under the 7 slices
 * that fix a non-empty subset of its (app_version, license_type, country): `pinned` says which
 * (bit 1 app_version, 2 license_type, 4 country), the columns it does not fix hold ''; a fixed
 * column holds the event's value ('' = unknown). A filter reads exactly one slice per day, so
 * distinct sessions and visitors, entries and exits are exact for every filter combination (a
 * session whose events fall in two slices counts once in each, and once in a slice holding both).
 * The unfiltered answers keep reading rollup_frontend and rollup_pages. Keyed (product, pinned,
 * slice, day, ...): a filtered read is one range of the key.
 */
const sliceColumns = () => ({
  product: text("product").notNull(),
  pinned: integer("pinned").notNull(),
  appVersion: text("app_version").notNull(),
  licenseType: text("license_type").notNull(),
  country: text("country").notNull(),
  day: text("day").notNull(),
});

/** rollup_frontend per breakdown slice. */
export const rollupFrontendSlices = sqliteTable(
  "rollup_frontend_slices",
  {
    ...sliceColumns(),
    events: integer("events").notNull(),
    pageviews: integer("pageviews").notNull(),
    pageleaves: integer("pageleaves").notNull(),
    sessions: integer("sessions").notNull(),
    visitors: integer("visitors").notNull(),
    durations: text("durations", { mode: "json" }).$type<DurationHistogram>(),
  },
  (t) => [primaryKey({ columns: [t.product, t.pinned, t.appVersion, t.licenseType, t.country, t.day] })],
);

/** rollup_pages per breakdown slice (a rebuild keeps the top 500 pages per product, day and slice). */
export const rollupPagesSlices = sqliteTable(
  "rollup_pages_slices",
  {
    ...sliceColumns(),
    path: text("path").notNull(),
    pageviews: integer("pageviews").notNull(),
    entries: integer("entries").notNull(),
    exits: integer("exits").notNull(),
    leaves: integer("leaves").notNull(),
    durations: text("durations", { mode: "json" }).$type<DurationHistogram>(),
  },
  (t) => [primaryKey({ columns: [t.product, t.pinned, t.appVersion, t.licenseType, t.country, t.day, t.path] })],
);

/**
 * Custom events per day and full slice (app version, licence type, country; '' = unknown): counts
 * add up, so a filter sums the slices it matches (no `pinned`: every row fixes all three).
 */
export const rollupEventsSlices = sqliteTable(
  "rollup_events_slices",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    event: text("event").notNull(),
    appVersion: text("app_version").notNull(),
    licenseType: text("license_type").notNull(),
    country: text("country").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.product, t.day, t.event, t.appVersion, t.licenseType, t.country] })],
);

/** Property pairs of custom events per day and full slice (a rebuild keeps the top 100 pairs per event, day and slice). */
export const rollupEventPropsSlices = sqliteTable(
  "rollup_event_props_slices",
  {
    product: text("product").notNull(),
    day: text("day").notNull(),
    event: text("event").notNull(),
    appVersion: text("app_version").notNull(),
    licenseType: text("license_type").notNull(),
    country: text("country").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.product, t.day, t.event, t.appVersion, t.licenseType, t.country, t.key, t.value],
    }),
  ],
);

/** Progress of the rollup cron: the last day built (inclusive) and when. One row, name 'daily'. */
export const rollupState = sqliteTable("rollup_state", {
  name: text("name").primaryKey(),
  builtThrough: text("built_through").notNull(),
  builtAt: integer("built_at").notNull(),
});
