import { commandStatsRows, type CommandStats } from "../../../schema";
import type { Db } from "../../store/db";
import { commandRows, type CommandFilter } from "../../store/statsCommands";
import { rawMissingDays, sliceCommandRows } from "../../store/statsSlice";
import type { Range } from "./run";
import { answerHead, cubeFilter } from "./steps";

/**
 * FerretDB command results per version over the range: which commands fail (NotImplemented...)
 * where. The version filter reads rollup_commands (the beacon's version); licence type and
 * country are not in it, so with them the rows come from the range's raw pings of the slice
 * (store/statsSlice.ts), and days whose raw pings expired are listed in `raw_missing_days`.
 */
export async function commandStats(db: Db, s: Range, filter: CommandFilter): Promise<CommandStats> {
  const sliced = s.filters.license_type !== undefined || s.filters.country !== undefined;
  const [rows, missing] = sliced
    ? await Promise.all([
        sliceCommandRows(db, s, cubeFilter(s), filter.result, commandStatsRows),
        rawMissingDays(db, s),
      ])
    : [await commandRows(db, s, filter, commandStatsRows), []];
  return {
    ...answerHead(s),
    raw_missing_days: missing,
    result: filter.result ?? null,
    rows: rows.map((r) => ({
      version: r.version,
      command: r.command,
      argument: r.argument,
      result: r.result,
      installation_days: r.installationDays,
      count: r.count,
    })),
  };
}
