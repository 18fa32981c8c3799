/**
 * Small value rules of Sentry ingestion: which user ids are installations, release -> version,
 * client times, short labels. Pure functions.
 */
import { clientTimeRange } from "../../../schema";
import { toHex } from "../../lib/hex";

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HEX_UUID4 = /^([0-9a-f]{8})([0-9a-f]{4})(4[0-9a-f]{3})([89ab][0-9a-f]{3})([0-9a-f]{12})$/;

/**
 * An installation id from a Sentry `user.id` or session `did`: a dashed RFC 4122 UUID (any
 * version), or 32 hex digits that form a UUIDv4 (vigilant's `uuid.uuid4().hex`), which get their
 * dashes; lower case. Anything else (a FlowFuse user hashid, a user name, an e-mail, a number)
 * is no installation and is never stored.
 */
export function installationIdOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const v = value.trim().toLowerCase();
  if (DASHED.test(v)) return v;
  const m = HEX_UUID4.exec(v);
  return m ? m.slice(1).join("-") : null;
}

/** 32 hex digits as a dashed UUID (event ids are stored in that form, like every other row id). */
export function dashed(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`;
}

/** The version of a Sentry release: `flowfuse@2.24.0` -> `2.24.0`, `5.4.0` -> `5.4.0`; at most 64 characters. */
export function versionOf(release: string | null | undefined): string | null {
  const r = (release ?? "").trim();
  const v = r.includes("@") && !r.endsWith("@") ? r.slice(r.lastIndexOf("@") + 1) : r;
  return v ? v.slice(0, 64) : null;
}

/**
 * A client time in ms: ISO strings (sentry-python: microseconds, `Z`; no zone is UTC) or epoch
 * seconds as a float (@sentry/node). Missing or unreadable -> `fallback`. Clamped like every
 * client time (2000..2100), so a device without a clock still reports.
 */
export function clientTime(value: string | number | null | undefined, fallback: number): number {
  let ms = Number.NaN;
  if (typeof value === "number") ms = value * 1000;
  else if (typeof value === "string") {
    const iso = value.trim().replace(/(\.\d{3})\d+/, "$1");
    ms = Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`);
  }
  if (!Number.isFinite(ms)) ms = fallback;
  return Math.round(Math.min(Math.max(ms, clientTimeRange.min), clientTimeRange.max));
}

/** Sentry's data categories (develop.sentry.dev "Client Reports"): anything else is "other". */
const CATEGORIES = new Set(
  (
    "default error transaction security attachment session profile profile_chunk replay span monitor " +
    "internal metric_bucket feedback log log_item log_byte trace_metric user_report statsd"
  ).split(" "),
);
/** Sentry's discard reasons: anything else is "other". */
const REASONS = new Set(
  (
    "queue_overflow cache_overflow buffer_overflow ratelimit_backoff network_error sample_rate before_send " +
    "event_processor send_error internal_sdk_error insufficient_data backpressure ignored"
  ).split(" "),
);

/**
 * A client-report category or reason from the SDKs' fixed vocabularies; any other text (a client
 * can put anything there) is "other", so no free text is ever stored from a report.
 */
export function label(value: string, kind: "category" | "reason"): string {
  const v = value.trim().toLowerCase();
  return (kind === "category" ? CATEGORIES : REASONS).has(v) ? v : "other";
}

/** SHA-256 hex of the parts, joined by newlines (ids for rows Sentry gives no id). */
export async function digest(...parts: Array<string | number | null | undefined>): Promise<string> {
  const bytes = new TextEncoder().encode(parts.map((p) => String(p ?? "")).join("\n"));
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}
