/**
 * Step 0 of the capture pipeline for posthog-node's Capture V1 (`POSTHOG_CAPTURE_MODE=v1`:
 * `POST /i/v1/analytics/events`, test/fixtures/posthog-node-v1.json): the request is turned into
 * the v0 form that envelope() reads, so both follow the same rules (token, allow-list, dedupe by
 * uuid, answers). What v1 moves, and where it goes back:
 * - the project key is `Authorization: Bearer <key>` (no `api_key` in the body) -> `api_key`;
 * - `$session_id` is promoted to a top-level `session_id` -> `properties.$session_id`;
 * - `$lib` / `$lib_version` are stripped and sent as `PostHog-Sdk-Info: posthog-node/5.70.0`
 *   -> `properties.$lib` / `$lib_version` (an event's own properties win).
 * `created_at`, `historical_migration`, `options` and `window_id` are not read. A body that is
 * not a batch (no `batch` array, not an array) is passed on unchanged: envelope() answers it.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface CaptureV1Headers {
  authorization: string | null;
  /** `PostHog-Sdk-Info`: `<library>/<version>`. */
  sdkInfo: string | null;
}

/** `posthog-node/5.70.0` -> {$lib, $lib_version}; anything else -> {} (strip() bounds both). */
function libOf(sdkInfo: string | null): Json {
  const m = /^(.{1,64})\/([^/\s]{1,64})$/.exec(sdkInfo?.trim() ?? "");
  return m ? { $lib: m[1], $lib_version: m[2] } : {};
}

function liftEvent(e: unknown, lib: Json): unknown {
  if (!isObject(e) || (e.properties !== undefined && !isObject(e.properties))) return e; // rejected later
  const session = typeof e.session_id === "string" ? { $session_id: e.session_id } : {};
  return { ...e, properties: { ...lib, ...session, ...e.properties } };
}

export function fromCaptureV1(body: unknown, headers: CaptureV1Headers): unknown {
  const events = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.batch) ? body.batch : undefined;
  if (events === undefined) return body;
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
  const token = bearer ?? (isObject(body) ? body.api_key : undefined);
  const lib = libOf(headers.sdkInfo);
  return { ...(token === undefined ? {} : { api_key: token }), batch: events.map((e) => liftEvent(e, lib)) };
}
