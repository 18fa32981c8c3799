import { HttpError } from "./error";

/** Parses UTF-8 JSON; any failure -> 400 invalid_json (the parser's text is not echoed). */
export function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new HttpError(400, "invalid_json", "Body is not valid UTF-8 JSON.");
  }
}
