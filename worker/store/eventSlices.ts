import { sql, type SQL } from "drizzle-orm";
import type { CubeFilter } from "./stats";

/**
 * The breakdown slices of the frontend rollups (schema/tables/rollups.ts rollup_*_slices): how an
 * event is counted under the filters ?version=&license_type=&country= of the frontend and
 * custom-events answers. The filters mean, for an event: its `app_version` and `license_type`
 * (sent by the snippet from the console) and its `country` (the installation's, resolved when
 * the event is stored: store/eventWrites.ts); null counts as '' (unknown), as for pings.
 *
 * A slice is (pinned, app_version, license_type, country): `pinned` says which of the three it
 * fixes (bit 1 app_version, 2 license_type, 4 country); the others hold ''. An event counts under
 * the 7 slices that fix a non-empty subset of its values, so every filter combination reads ONE
 * slice, in which sessions and visitors are distinct and entries and exits are those of the
 * session's views inside it. Custom events and their properties only add up, so they keep the full
 * slice (pinned 7) alone and a filter sums the slices it matches.
 */

/** The slice columns after `product` (and before `day`) of rollup_frontend_slices / rollup_pages_slices. */
export const SLICE_KEYS = ["pinned", "app_version", "license_type", "country"];

/** The full slice's columns (rollup_events_slices, rollup_event_props_slices). */
export const FULL_SLICE_KEYS = ["app_version", "license_type", "country"];

/** Every non-empty subset of the three filters, as `pinned` values; the full slice alone. */
const EVERY = "(VALUES (1), (2), (3), (4), (5), (6), (7))";
const FULL = "(VALUES (7))";

/**
 * The rows of `from` (a table name; `where` filters it, its columns unqualified) as one row per
 * slice they count under: the event columns the counters read, `pinned`, and app_version,
 * license_type and country as the slice holds them. A parenthesised subquery, usable after FROM.
 * No bound parameter of its own (the writer's statements must bind none).
 */
export function slicedRows(from: SQL, where: SQL, which: "every" | "full"): SQL {
  return sql`(SELECT e.uuid, e.product, e.event, e.timestamp, e.received_at, e.day, e.distinct_id, e.session_id,
      e.path, e.duration_ms, e.props, m.column1 AS pinned,
      CASE WHEN m.column1 & 1 THEN coalesce(e.app_version, '') ELSE '' END AS app_version,
      CASE WHEN m.column1 & 2 THEN coalesce(e.license_type, '') ELSE '' END AS license_type,
      CASE WHEN m.column1 & 4 THEN coalesce(e.country, '') ELSE '' END AS country
    FROM ${from} e, ${sql.raw(which === "every" ? EVERY : FULL)} m WHERE ${where})`;
}

/** The slice a filter reads: its `pinned` value and the three columns ('' where not fixed). */
export function sliceOf(f: CubeFilter) {
  return {
    pinned:
      (f.version === undefined ? 0 : 1) | (f.licenseType === undefined ? 0 : 2) | (f.country === undefined ? 0 : 4),
    appVersion: f.version ?? "",
    licenseType: f.licenseType ?? "",
    country: f.country ?? "",
  };
}
