/**
 * Stable error codes of every 4xx/5xx answer: `{"error": {"code", "message", ...}}`.
 * Clients may switch on `code`; `message` is for humans and never carries internal text.
 */
export const errorCodes = [
  "invalid_json", // body is not parseable JSON (or not UTF-8)
  "invalid_field", // a field failed validation; `path` names it ($.a.b)
  "invalid_header", // a header failed validation; `header` names it
  "invalid_query", // a query parameter failed validation; `path` names it
  "invalid_encoding", // gzip / base64 / form body could not be decoded
  "invalid_envelope", // a Sentry envelope's framing is broken (header lines, item lengths)
  "payload_too_large", // 413: body (or decompressed body) over the route's limit
  "range_too_large", // 413: an export range holds more rows than one request may stream; narrow from/to
  "unsupported_media_type", // 415
  "unauthorized", // 401: missing or wrong bearer token / project API key
  "instance_key_mismatch", // 403: the instance has a registered key and the request did not present it
  "not_found", // 404: unknown route or resource
  "events_not_kept", // 404: GET /v1/admin/events while EVENTS_D1_DAYS = 0 (raw events only in the R2 archive)
  "method_not_allowed", // 405
  "rate_limited", // 429
  "storage_unavailable", // 503 + Retry-After: D1 failed; safe to retry
  "not_configured", // 503: a required secret or binding is missing
  "internal_error", // 500: anything else; details only in the worker log
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string; header?: string };
}
