import { commandStatsRows, type CommandStats } from "../../../schema";
import type { Db } from "../../store/db";
import { commandRows, type CommandFilter } from "../../store/statsCommands";
import type { Range } from "./run";
import { answerHead } from "./steps";

/**
 * FerretDB command results per version over the range: which commands fail (NotImplemented...)
 * where. The version filter applies (the beacon's version); licence type and country are not in
 * rollup_commands: with them the rows stay unfiltered and `not_filtered` says so.
 */
export async function commandStats(db: Db, s: Range, filter: CommandFilter): Promise<CommandStats> {
  const rows = await commandRows(db, s, filter, commandStatsRows);
  const unsliced = s.filters.license_type !== undefined || s.filters.country !== undefined;
  return {
    ...answerHead(s, unsliced ? ["rows"] : []),
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
