/**
 * Decoding of capture bodies, in every form posthog-js and posthog-js-lite send:
 * raw gzip as text/plain (sniffed by its magic bytes), `Content-Encoding: gzip`, plain JSON, and
 * `?compression=base64` form bodies (`data=<urlencoded base64 JSON>`, unload beacons).
 * Legacy query parameters (`ver`, `_`, `ip`, `beacon`, `retry_count`, `compression=gzip-js`)
 * are ignored except as hints. Sizes: body <= 1 MiB, decoded <= 8 MiB, checked while inflating
 * (lib/gzip.ts).
 */
import { captureLimits } from "../../../schema/wire/capture";
import { HttpError } from "../../lib/error";
import { gunzip as gunzipBounded, isGzip } from "../../lib/gzip";
import { parseJson } from "../../lib/json";

const badEncoding = (what: string) => new HttpError(400, "invalid_encoding", `Body is not valid ${what}.`);
const gunzip = (bytes: Uint8Array) => gunzipBounded(bytes, captureLimits.decodedBytes);

/** Standard or URL-safe base64 (padding optional) to bytes; anything else -> 400. */
export function fromBase64(text: string): Uint8Array {
  const clean = text.trim().replaceAll("-", "+").replaceAll("_", "/").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw badEncoding("base64");
  try {
    const binary = atob(clean);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    throw badEncoding("base64");
  }
}

/**
 * A `data=<urlencoded value>` form body (unload beacons) or a bare base64 body: the value is
 * base64 of JSON (or of gzip); a value that already looks like JSON is taken as it is.
 */
function fromBase64Body(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes).trim();
  const value =
    text.startsWith("data=") || text.includes("&data=") ? (new URLSearchParams(text).get("data") ?? "") : text;
  if (value.startsWith("{") || value.startsWith("[")) return new TextEncoder().encode(value);
  return fromBase64(value);
}

export interface CaptureBody {
  bytes: Uint8Array;
  contentType: string;
  contentEncoding: string;
  compression: string | null;
}

/** Picks the decoding from the headers, the query hint and the bytes themselves. */
export async function decodeBytes(body: CaptureBody): Promise<Uint8Array> {
  const { bytes, contentType, contentEncoding, compression } = body;
  if (contentEncoding === "gzip" || contentEncoding === "x-gzip") return gunzip(bytes);
  if (contentEncoding !== "" && contentEncoding !== "identity") {
    throw new HttpError(415, "unsupported_media_type", "Content-Encoding must be gzip or absent.");
  }
  if (isGzip(bytes)) return gunzip(bytes);
  if (compression === "base64" || contentType === "application/x-www-form-urlencoded") {
    const decoded = fromBase64Body(bytes);
    if (isGzip(decoded)) return gunzip(decoded);
    return decoded; // base64 only shrinks: already within the decoded limit
  }
  return bytes;
}

/** Decodes a capture body (already read within `captureLimits.bodyBytes`) into its JSON value. */
export async function decodeCapture(body: CaptureBody): Promise<unknown> {
  const bytes = await decodeBytes(body);
  if (bytes.byteLength === 0) throw new HttpError(400, "invalid_json", "Body is empty.");
  return parseJson(bytes);
}
