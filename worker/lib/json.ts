import { HttpError } from "./error";

/** Parses UTF-8 JSON; any failure -> 400 invalid_json (the parser's text is not echoed). */
export function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new HttpError(400, "invalid_json", "Body is not valid UTF-8 JSON.");
  }
}

/** JSON.parse's reviver context (V8 11.4+, workerd): the source text of a primitive value. */
type ReviverContext = { source?: string } | undefined;

/**
 * Parses UTF-8 JSON like parseJson and also returns the exact source text of `key`'s value in the
 * top-level object (undefined when absent or not a primitive), for numbers JSON.parse would round
 * (a Go int64 past 2^53). The text is only read, never evaluated.
 */
export function parseJsonWithSource(bytes: Uint8Array, key: string): { value: unknown; source: string | undefined } {
  const sources = new WeakMap<object, string>();
  const reviver = function (this: unknown, k: string, v: unknown, context?: ReviverContext): unknown {
    if (k === key && typeof this === "object" && this !== null && context?.source !== undefined) {
      sources.set(this, context.source);
    }
    return v;
  };
  let value: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    value = JSON.parse(text, reviver as (this: unknown, k: string, v: unknown) => unknown);
  } catch {
    throw new HttpError(400, "invalid_json", "Body is not valid UTF-8 JSON.");
  }
  const source = typeof value === "object" && value !== null ? sources.get(value) : undefined;
  return { value, source };
}
