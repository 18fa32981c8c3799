import { z } from "zod";
import { shortText } from "./common.ts";
import { statsQuery, type StatsFilters } from "./stats.ts";

/**
 * GET /v1/admin/stats/commands: FerretDB command results per version (rollup_commands; under a
 * licence type or country filter, the raw pings of the slice). Without
 * `result`, every result but "ok" (the failures); `result=ok` or `result=NotImplemented` picks one.
 */
export const commandStatsQuery = statsQuery.extend({
  result: z.string().min(1).max(64).optional(),
  version: shortText.optional(),
});

/** Rows returned at most (by installation-days, then count). */
export const commandStatsRows = 500;

export interface CommandStats {
  product: string;
  from: string;
  to: string;
  days: string[];
  /**
   * The filters given: `version` (the beacon's) reads rollup_commands; `license_type` / `country`
   * are not in it, so with them the rows come from the raw pings of the range restricted to the
   * slice (each installation by its last ping of each day).
   */
  filters: StatsFilters;
  /** Always empty: every filter applies to the rows. */
  not_filtered: string[];
  /** Under a licence type or country filter, the days of the range whose raw pings expired (missing from the rows). */
  raw_missing_days: string[];
  /** The result asked for, or null for "every failure". */
  result: string | null;
  rows: Array<{
    version: string;
    command: string;
    argument: string;
    result: string;
    /** Installations reporting it, summed over the days (one installation on 3 days counts 3). */
    installation_days: number;
    /** Their counts summed over the days (FerretDB's counters run since each instance started). */
    count: number;
  }>;
}
