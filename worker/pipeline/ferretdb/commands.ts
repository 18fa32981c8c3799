/**
 * FerretDB's command_metrics (opcode -> command -> argument -> result -> count, names chosen by
 * the database's clients) reduced to a bounded list: names outside the MongoDB vocabularies of
 * schema/wire/mongo*.ts become "other", equal combinations are merged, zero counts dropped, and at
 * most ferretdbLimits.storedCombinations combinations kept (failures first, then by count); the
 * rest is summed per named result under other/other/other.
 */
import {
  ferretdbLimits,
  mongoArgumentKind,
  mongoArguments,
  mongoCommands,
  mongoLocationResult,
  mongoOpcodes,
  mongoResults,
  type CommandMetrics,
} from "../../../schema";
import type { CommandCount } from "../../../schema/tables";

export const OTHER = "other";

export const foldOpcode = (op: string): string => (mongoOpcodes.has(op) ? op : OTHER);
export const foldCommand = (command: string): string => (mongoCommands.has(command) ? command : OTHER);
export const foldResult = (result: string): string =>
  mongoResults.has(result) || mongoLocationResult.test(result) ? result : OTHER;
/** `$lookup`, `sort`, `$lookup (stage)`: kept when the name (without its kind) is known. */
export function foldArgument(argument: string): string {
  if (mongoArguments.has(argument)) return argument;
  const named = mongoArgumentKind.exec(argument);
  return named && mongoArguments.has(named[1]!) ? argument : OTHER;
}

const add = (a: number, b: number) => Math.min(a + b, Number.MAX_SAFE_INTEGER);

/** Merges `row` into `into` by its four names. */
function merge(into: Map<string, CommandCount>, row: CommandCount): void {
  const key = JSON.stringify(row.slice(0, 4));
  const seen = into.get(key);
  if (seen) seen[4] = add(seen[4], row[4]);
  else into.set(key, row);
}

/** Failures before "ok", larger counts first, then by name (a stable order). */
function order(a: CommandCount, b: CommandCount): number {
  const failA = a[3] === "ok" ? 1 : 0;
  const failB = b[3] === "ok" ? 1 : 0;
  return failA - failB || b[4] - a[4] || JSON.stringify(a).localeCompare(JSON.stringify(b));
}

export function foldCommands(
  metrics: CommandMetrics | undefined,
  cap: number = ferretdbLimits.storedCombinations,
): CommandCount[] | null {
  if (metrics === undefined) return null;
  const merged = new Map<string, CommandCount>();
  for (const [opcode, commands] of Object.entries(metrics)) {
    for (const [command, args] of Object.entries(commands)) {
      for (const [argument, results] of Object.entries(args)) {
        for (const [result, n] of Object.entries(results)) {
          if (n === 0) continue; // v1.x sends "ok": 0; v2.2+ omits it
          merge(merged, [foldOpcode(opcode), foldCommand(command), foldArgument(argument), foldResult(result), n]);
        }
      }
    }
  }
  const rows = [...merged.values()].sort(order);
  if (rows.length <= cap) return rows;
  const kept = new Map<string, CommandCount>();
  for (const row of rows.slice(0, cap)) merge(kept, row);
  // The rest keeps only its result, and only a named one (numbered Location results become
  // "other" here): at most one more row per entry of mongoResults.
  for (const row of rows.slice(cap))
    merge(kept, [OTHER, OTHER, OTHER, mongoResults.has(row[3]) ? row[3] : OTHER, row[4]]);
  return [...kept.values()];
}
