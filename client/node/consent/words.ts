/** FerretDB's telemetry words (case-insensitive) and the tri-state they mean. */
export type ConsentState = "enabled" | "disabled" | "undecided";

export const TRUE_WORDS = [
  "1",
  "t",
  "true",
  "y",
  "yes",
  "on",
  "enable",
  "enabled",
  "optin",
  "opt-in",
  "allow",
] as const;
export const FALSE_WORDS = [
  "0",
  "f",
  "false",
  "n",
  "no",
  "off",
  "disable",
  "disabled",
  "optout",
  "opt-out",
  "disallow",
  "forbid",
] as const;
export const UNDECIDED_WORDS = ["", "undecided"] as const;

/** A consent input that cannot be understood, or a choice that contradicts DO_NOT_TRACK. */
export class ConsentError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.name = "ConsentError";
    this.input = input;
  }
}

const trueSet: ReadonlySet<string> = new Set(TRUE_WORDS);
const falseSet: ReadonlySet<string> = new Set(FALSE_WORDS);
const undecidedSet: ReadonlySet<string> = new Set(UNDECIDED_WORDS);

/**
 * Parses one word of input `input` (e.g. "--telemetry", "FERRETDB_TELEMETRY", "DO_NOT_TRACK").
 * Booleans are accepted for settings that come from config files and admin UIs.
 * Unknown words throw a ConsentError naming the input and every accepted word.
 */
export function parseWord(input: string, value: string | boolean): ConsentState {
  if (typeof value === "boolean") return value ? "enabled" : "disabled";
  const word = value.trim().toLowerCase();
  if (trueSet.has(word)) return "enabled";
  if (falseSet.has(word)) return "disabled";
  if (undecidedSet.has(word)) return "undecided";
  throw new ConsentError(
    input,
    `${input}: unknown telemetry value ${JSON.stringify(value)}. Accepted (any case): ` +
      `to enable: ${TRUE_WORDS.join(", ")}; to disable: ${FALSE_WORDS.join(", ")}; ` +
      `undecided: "" or undecided.`,
  );
}
