import { z } from "zod";

/** Short identifier-like strings: product names, runtime names, config keys. */
export const keyName = z.string().min(1).max(64);
/** Short free text such as versions, OS names, licence types. */
export const shortText = z.string().max(128);
/** A product slug: lower-case letters, digits, `.`, `_`, `-`. */
export const productName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'");

/** A record with at most `max` keys. */
export function boundedRecord<V extends z.ZodType>(value: V, max: number) {
  return z.record(keyName, value).refine((o) => Object.keys(o).length <= max, { message: `at most ${max} keys` });
}

/** JSON path like `$.platform.counts.users` from a zod issue path. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : `${acc}.${String(key)}`), "$");
}

/** A set of whitespace-separated words; lines starting with `#` are comments (for vocabulary lists). */
export function words(text: string): ReadonlySet<string> {
  const lines = text.split("\n").filter((line) => !line.trim().startsWith("#"));
  return new Set(lines.join(" ").split(/\s+/).filter(Boolean));
}
