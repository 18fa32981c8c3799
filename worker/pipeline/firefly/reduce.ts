/**
 * The one place a Firefly value (free text from the installation) is reduced before storage:
 * a key must be one Firefly records (schema/wire/fireflyFacts.ts) and its value must match that
 * key's rule; a console-command signature (up to 1,418 chars, newlines and option help) is cut to
 * the command name. Anything else is dropped, so no free text reaches storage.
 */
import { fireflyCommandName, fireflyFactKeys } from "../../../schema";

export type ValueDrop = "unknown_key" | "value_not_allowed";

/** `firefly-iii:export-data\n    {--user=1 : ...}` -> `firefly-iii:export-data`. */
export function commandName(signature: string): string | null {
  const first = signature.trim().split(/\s/, 1)[0] ?? "";
  return fireflyCommandName.test(first) ? first : null;
}

export function reduceValue(key: string, value: string): { value: string } | { drop: ValueDrop } {
  const rule = Object.hasOwn(fireflyFactKeys, key) ? fireflyFactKeys[key] : undefined;
  if (rule === undefined) return { drop: "unknown_key" };
  const kept = rule === "command" ? commandName(value) : rule.test(value) ? value : null;
  return kept === null ? { drop: "value_not_allowed" } : { value: kept };
}
