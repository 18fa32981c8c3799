import { commandStatsRows, type CommandStats } from "../../../schema";
import type { Db } from "../../store/db";
import { commandRows, type CommandFilter } from "../../store/statsCommands";
import type { Range } from "./run";

/** FerretDB command results per version over the range: which commands fail (NotImplemented...) where. */
export async function commandStats(db: Db, s: Range, filter: CommandFilter): Promise<CommandStats> {
  const rows = await commandRows(db, s, filter, commandStatsRows);
  return {
    product: s.product,
    from: s.from,
    to: s.to,
    days: s.days,
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
