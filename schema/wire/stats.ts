import { z } from "zod";
import { productName } from "./common.ts";

/** A UTC calendar day, YYYY-MM-DD, that exists. */
export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD")
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      message: "not a calendar day",
    },
  );

/** Longest range one stats or export request may ask for. */
export const maxRangeDays = 731;

/** A filter value: the exact stored value; '' (the parameter given empty) selects "unknown". */
const filterValue = z.string().max(100);

/**
 * ?version=&license_type=&country= : the breakdown filters (ANDed, each optional). They apply to
 * an installation's state on each day (its last ping of the day); on frontend and custom events
 * (FrontendStats, EventStats) to the event's app version and licence type (sent by the snippet)
 * and its installation's country (resolved from `instance_ref` when the event was stored; unknown
 * without a reference or before the installation's first ping). Figures that cannot honestly be
 * filtered are listed in the answer's `not_filtered` instead of being shown unfiltered.
 */
export const statsFilters = z.object({
  version: filterValue.optional(),
  license_type: filterValue.optional(),
  country: filterValue.optional(),
});
export type StatsFilters = z.infer<typeof statsFilters>;
/** The filter parameters, in the order the dashboard shows them. */
export const statsFilterKeys = ["version", "license_type", "country"] as const;

/** ?product=&from=&to= (+ the filters) of every GET /v1/admin/stats/* route (defaults: DEFAULT_PRODUCT, the 30 days to today). */
export const statsQuery = z.object({
  product: productName.optional(),
  from: isoDay.optional(),
  to: isoDay.optional(),
  ...statsFilters.shape,
});
/** GET /v1/admin/stats/versions also takes source=raw: the same answer computed from raw pings (benchmarks). */
export const versionsQuery = statsQuery.extend({ source: z.enum(["rollup", "raw"]).default("rollup") });

interface Range {
  product: string;
  from: string;
  to: string;
  /** Every day of the range; each series below has one entry per day. */
  days: string[];
  /** The filters applied (only those given). */
  filters: StatsFilters;
  /**
   * Fields of this answer the filters could not be applied to (empty without filters). Each is
   * either null / empty in the answer, or (facts, frontend, events...) stays unfiltered and the
   * answer says so here: a client must not present it as filtered.
   */
  not_filtered: string[];
}
/**
 * Under a filter, an installation counts in the N-day window ending d (active-7, active-30, and
 * the facts' 30 days) when it was in the slice on at least one day of that window (its last ping
 * of that day matched the filter). Unfiltered this is "pinged in the window", so a filter that
 * matches everything gives the unfiltered figures; N = 1 is the filtered active-1.
 */
export interface ActiveStats extends Range {
  active1: number[];
  /**
   * Distinct installations over the 7 / 30 days to each day. Filtered: by the window definition
   * above, from the raw pings of [from - 29, to]; null on the days whose window reaches a day
   * whose raw pings have expired (RETENTION_DAYS: see `raw_missing_days`).
   */
  active7: Array<number | null>;
  active30: Array<number | null>;
  /** Raw pings received: null on every day when filtered (listed in `not_filtered`). */
  pings: Array<number | null>;
  /**
   * Under a filter, the days of the range whose 30-day window reaches a day whose raw pings have
   * expired (RETENTION_DAYS) though the product has rollups for it: their active30 is null (and
   * active7 too when its own window reaches it). Empty without a filter.
   */
  raw_missing_days: string[];
}
export interface VersionStats extends Range {
  source: "rollup" | "raw";
  latest: string | null;
  /** Installations seen that day (by their last ping of the day). */
  total: number[];
  /** Share of them on the latest release (null on days without installations or without a release). */
  share_latest: Array<number | null>;
  /** Newest version first; '' is "unknown". */
  versions: Array<{ version: string; installations: number[] }>;
  /** The versions with the most installation-days in the range (at most 8), newest first. */
  top: Array<{ version: string; installations: number[] }>;
  /** Per day, installations on every version not in `top` (top + other = total). */
  other: number[];
  /** How many versions `other` sums. */
  other_versions: number;
  /**
   * Per named version (newest first): its first day in the range and the days from it until 50 %
   * and 80 % of that day's installations ran it or newer (null: not reached in the range).
   */
  upgrade_lag: Array<{ version: string; first_seen: string; days_to_50: number | null; days_to_80: number | null }>;
  /**
   * The product's releases, oldest first (all of them, not only the range's): each version set
   * through PUT /v1/admin/releases/:product and when it was first set (ISO). Release markers.
   */
  releases: Array<{ version: string; released_at: string }>;
}
export interface Share {
  value: string;
  /** Distinct installations with this value on `as_of` (by their last ping that day). */
  installations: number;
  /** Share of `installations` in the day's total. */
  share: number;
  /** Over the whole range: an installation seen on 3 days counts 3 times. */
  installation_days: number;
}
export interface DistributionStats extends Range {
  /**
   * The day the distinct installations are counted on: the last day of the range that is over
   * (yesterday when the range runs to today), or `to` when the range is today only.
   */
  as_of: string;
  /** Installations seen on `as_of`, and installation-days over the range (filtered when filters are given). */
  installations: number;
  installation_days: number;
  os_type: Share[];
  os_arch: Share[];
  os: Share[];
  license: Share[];
  country: Share[];
  /**
   * Runtimes (env). Not in the breakdown cube: under a filter they are counted from the range's
   * raw pings of the slice (each installation by its last ping of each day), so days whose raw
   * pings expired are missing from them (`raw_missing_days`).
   */
  runtime: Record<string, Share[]>;
  /** Under a filter, the days of the range whose raw pings expired (runtimes lack them); empty without one. */
  raw_missing_days: string[];
}
/**
 * Filtered: computed from the raw pings of the range, each installation by its last ping of each
 * day, restricted to the slice (medians and p90 do not add up across slices).
 */
export interface PlatformStats extends Range {
  /**
   * Under a filter, the days of the range whose raw pings have expired (RETENTION_DAYS) though
   * the product has rollups for them: their filtered figures read 0 / null for lack of data, not
   * because nothing was reported. Empty without a filter.
   */
  raw_missing_days: string[];
  counts: Array<{
    key: string;
    reporting: number[];
    sum: number[];
    median: Array<number | null>;
    p90: Array<number | null>;
  }>;
  flags: Array<{ key: string; reporting: number; on: number; share: number; share_by_day: Array<number | null> }>;
}
/**
 * Installations active in the 30 days to each day, by the latest value of each fact key received
 * by that day (greatest collected_at, then id). Unfiltered: the rollup (top 50 values per key and
 * day, the rest as "(other)"). Filtered: "active" by the window definition of ActiveStats (N = 30),
 * at request time from raw pings; top 50 values per key over the range, the rest as "(other)".
 */
export interface FactStats extends Range {
  /** Filtered: null on `raw_missing_days`. */
  facts: Array<{ key: string; value: string; installations: Array<number | null> }>;
  /** Under a filter, the days whose 30-day window reaches expired raw pings (as in ActiveStats). */
  raw_missing_days: string[];
  /**
   * Facts that name no installation (Firefly III 5.2.7/5.2.8's shared id, "empty"): how many
   * were received each day, per key and value. They never count as installations, and have no
   * slice: unfiltered under a filter (listed in `not_filtered`).
   */
  unattributed: Array<{ key: string; value: string; facts: number[] }>;
}
/**
 * Filtered: `version` is the report's, licence type / country the reporting installation's slice
 * of the report's day (reports without an installation, or of a day it did not ping, are in no
 * licence / country slice). type, message, first/last seen and new_in describe the group (all
 * time, unfiltered).
 */
export interface ExceptionStats extends Range {
  groups: Array<{
    fingerprint: string;
    type: string;
    message: string | null;
    occurrences: number;
    /** Occurrences that crashed: Sentry reports with `handled: false` or level `fatal` (0 for instance-client reports). */
    crashes: number;
    installation_days: number;
    versions: string[];
    /** Server receive times (ISO); null only if a stored time is unusable. */
    first_seen: string | null;
    last_seen: string | null;
    /**
     * The release this group is new in: the oldest version that ever reported it, when that
     * version is in the product's release history (null otherwise, or with unknown versions).
     */
    new_in: string | null;
  }>;
}
/** Path parameter of GET /v1/admin/stats/exceptions/:fingerprint. */
export const exceptionGroupPath = z.object({ fingerprint: z.string().min(1).max(128) });

/** GET /v1/admin/stats/exceptions/:fingerprint?product=&from=&to= : one exception group. */
export interface ExceptionGroupStats extends Range {
  fingerprint: string;
  type: string;
  message: string | null;
  /** The scrubbed stack of the latest stored report (null when raw reports have expired). */
  stack: string | null;
  /** Reports and installations per day of the range. */
  occurrences: number[];
  installations: number[];
  /** Reports per version in the range, newest version first. */
  versions: Array<{ version: string; occurrences: number }>;
  /**
   * Distinct installations with a stored report in the range, and up to 20 of their ids. Under a
   * licence / country filter: reports of days whose raw pings are kept (RETENTION_DAYS).
   */
  affected: { installations: number; ids: string[] };
  /** All-time server receive times (ISO). */
  first_seen: string | null;
  last_seen: string | null;
  /** The product's latest release, and whether no version older than it ever reported this group. */
  latest: string | null;
  new_in_latest: boolean;
  /** The release it is new in (see ExceptionStats' `new_in`). */
  new_in: string | null;
}

/**
 * GET /v1/admin/stats/events?product=&from=&to= (+ the filters) : custom events (Candor.capture;
 * names not starting with "$"), the 20 most frequent in the range, read from the event rollups
 * (per breakdown slice when filtered: every field filtered, `not_filtered` empty).
 */
export interface EventStats extends Range {
  events: Array<{
    event: string;
    total: number;
    per_day: number[];
    /** Events per app version ('' unknown), most first. */
    versions: Array<{ version: string; count: number }>;
    /** The 5 most frequent property values of this event. */
    top_props: Array<{ key: string; value: string; count: number }>;
  }>;
}

/** Release health from Sentry sessions (and what Sentry SDKs reported dropping). */
export interface SessionStats extends Range {
  /** Newest version first. crash_free = 1 - crashed / sessions over the range (null without sessions). */
  releases: Array<{
    version: string;
    sessions: number[];
    errored: number[];
    crashed: number[];
    abnormal: number[];
    crash_free: number | null;
    crash_free_by_day: Array<number | null>;
  }>;
  /** Client reports: items dropped per `<category>/<reason>` (for example `error/ratelimit_backoff`). */
  dropped: Array<{ key: string; reports: number[]; quantity: number[] }>;
}
export interface PageRow {
  path: string;
  pageviews: number;
  entries: number;
  exits: number;
  leaves: number;
  median_seconds: number | null;
}
/**
 * GET /v1/admin/stats/frontend?product=&from=&to= (+ the filters). Filtered, every field counts
 * only the matching events: sessions and visitors distinct among them, entry and exit pages the
 * first and last matching `$pageview` of each session (`not_filtered` empty).
 */
export interface FrontendStats extends Range {
  pageviews: number[];
  sessions: number[];
  visitors: number[];
  median_seconds: number | null;
  top_pages: PageRow[];
  entry_pages: Array<{ path: string; entries: number }>;
  exit_pages: Array<{ path: string; exits: number }>;
}
export interface ProductList {
  products: Array<{ product: string; first_day: string; last_day: string; latest_release: string | null }>;
  /** Rollup progress: every day up to built_through was (re)built by the run at built_at (ISO). */
  rollups: { built_through: string; built_at: string } | null;
}
