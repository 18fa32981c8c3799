/**
 * Capture steps, in order: envelope -> validateEvents -> checkToken -> (strip.ts) strip -> toRows.
 * Each is small and pure; the token map comes from configuration.
 */
import { z } from "zod";
import { captureLimits, customEventName, pageEvents, type RejectReason } from "../../../schema/wire/capture";
import { scrub } from "../../../schema/privacy/scrub";
import { HttpError } from "../../lib/error";

export interface Envelope {
  /** `api_key` of the envelope (or of a single legacy event), if any. */
  token: string | undefined;
  events: unknown[];
}

const tokenField = z.string().optional().catch(undefined);
const batchEnvelope = z.object({ api_key: tokenField, batch: z.array(z.unknown()) });
const anyObject = z.object({ api_key: tokenField }).loose();

/** Step 1: the three body forms: `{api_key, batch, sent_at}`, a bare array, a single event. */
export function envelope(body: unknown): Envelope {
  let found: Envelope;
  if (Array.isArray(body)) found = { token: undefined, events: body };
  else {
    const object = anyObject.safeParse(body);
    if (!object.success)
      throw new HttpError(400, "invalid_field", "$: expected {api_key, batch}, an array of events or one event", {
        path: "$",
      });
    if (object.data.batch === undefined) found = { token: object.data.api_key, events: [body] };
    else {
      const batch = batchEnvelope.safeParse(body);
      if (!batch.success)
        throw new HttpError(400, "invalid_field", "$.batch: expected an array of events", { path: "$.batch" });
      found = { token: batch.data.api_key, events: batch.data.batch };
    }
  }
  if (found.events.length > captureLimits.events) {
    throw new HttpError(413, "payload_too_large", `At most ${captureLimits.events} events per request.`);
  }
  return found;
}

const uuidShape = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** The parts of a PostHog event the worker reads; `properties` is narrowed later by strip(). */
const wireEvent = z.object({
  uuid: z.string().regex(uuidShape),
  event: z.string().min(1).max(200),
  timestamp: z.string().max(64).optional().catch(undefined),
  distinct_id: z.union([z.string(), z.number()]).optional().catch(undefined),
  // Any plain object, passed on as it is: z.record would copy it key by key (every property of
  // every event) only for strip() to read its few allowed keys; the same objects pass and fail.
  properties: z.custom<Record<string, unknown>>((v) => z.core.util.isPlainObject(v)).optional(),
});
export type WireEvent = z.infer<typeof wireEvent>;

export interface Checked {
  index: number;
  event: WireEvent;
}
export interface Rejected {
  index: number;
  reason: RejectReason;
}

function reasonFor(raw: unknown, issues: ReadonlyArray<z.core.$ZodIssue>): RejectReason {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "not_an_object";
  const field = issues[0]?.path[0];
  const has = (k: string) => (raw as Record<string, unknown>)[k] !== undefined;
  if (field === "uuid") return has("uuid") ? "invalid_uuid" : "missing_uuid";
  if (field === "event") return has("event") ? "invalid_event_name" : "missing_event";
  return "invalid_properties";
}

/**
 * Event names kept: `$pageview`, `$pageleave`, and custom names matching `customEventName`
 * that hold nothing schema/privacy/scrub.ts finds (`login 10.0.0.1`, `/home/alice/x` are names
 * an app should not make: the event is rejected as `invalid_event_name`, not stored).
 */
export function nameReason(name: string): RejectReason | undefined {
  if ((pageEvents as readonly string[]).includes(name)) return undefined;
  if (name.startsWith("$")) return "event_not_allowed";
  return customEventName.test(name) && scrub(name).found.length === 0 ? undefined : "invalid_event_name";
}

/** Step 2: per-event validation; a bad event is dropped with its reason, the others go on. */
export function validateEvents(events: unknown[]): { valid: Checked[]; rejected: Rejected[] } {
  const valid: Checked[] = [];
  const rejected: Rejected[] = [];
  events.forEach((raw, index) => {
    const parsed = wireEvent.safeParse(raw);
    if (!parsed.success) return void rejected.push({ index, reason: reasonFor(raw, parsed.error.issues) });
    const reason = nameReason(parsed.data.event);
    if (reason) return void rejected.push({ index, reason });
    valid.push({ index, event: parsed.data });
  });
  return { valid, rejected };
}

function tokenOf(e: unknown): string | undefined {
  const p = typeof e === "object" && e !== null ? (e as { properties?: unknown }).properties : undefined;
  if (typeof p !== "object" || p === null) return undefined;
  const t = (p as Record<string, unknown>).token ?? (p as Record<string, unknown>).api_key;
  return typeof t === "string" ? t : undefined;
}

/**
 * Step 3: the project token (envelope `api_key`, else the first `properties.token` of ANY event,
 * valid or rejected: a batch whose events are all rejected still names its project) must be
 * configured: unknown or missing -> 401 (posthog-js does not retry 4xx). Events carrying a
 * different token are dropped as `token_mismatch`.
 */
export function checkToken(
  env: Envelope,
  checked: { valid: Checked[]; rejected: Rejected[] },
  tokens: Record<string, string>,
): { product: string; valid: Checked[]; rejected: Rejected[] } {
  const token = env.token ?? env.events.map(tokenOf).find((t) => t !== undefined);
  const product = token !== undefined && Object.hasOwn(tokens, token) ? tokens[token] : undefined;
  if (product === undefined) throw new HttpError(401, "unauthorized", "Unknown or missing project API key.");
  const valid: Checked[] = [];
  const rejected = [...checked.rejected];
  for (const c of checked.valid) {
    const own = tokenOf(c.event);
    if (own !== undefined && own !== token) rejected.push({ index: c.index, reason: "token_mismatch" });
    else valid.push(c);
  }
  rejected.sort((a, b) => a.index - b.index);
  return { product, valid, rejected };
}
