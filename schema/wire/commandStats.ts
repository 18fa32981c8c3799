import { z } from "zod";
import { shortText } from "./common.ts";
import { statsQuery, type StatsFilters } from "./stats.ts";

/**
 * GET /v1/admin/stats/commands: FerretDB command results per version (rollup_commands). Without
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
  /** The filters given (`version` applies to the rows: the beacon's version). */
  filters: StatsFilters;
  /** ["rows"] under a licence type or country filter: rollup_commands has neither. */
  not_filtered: string[];
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
