/**
 * The admin API's contract (/v1/admin/*, except the stats answers: stats.ts): request bodies,
 * query and path parameters, and every JSON answer. Answers are snake_case like the rest of the
 * API, times are ISO 8601 UTC strings, and every object is strict: a stored column that is not
 * named here (an idempotency key, a day bucket) never reaches a client.
 * DELETE answers are `204 No Content` without a body.
 */
import { z } from "zod";
import { captureLimits } from "./capture.ts";
import { productName } from "./common.ts";
import { alertLevel } from "./ping.ts";

/** Limits of admin requests (bodies are read with `bodyBytes` as their bound). */
export const adminLimits = {
  /** Body of PUT /v1/admin/releases/:product and POST /v1/admin/alerts. */
  bodyBytes: 16 * 1024,
  version: 64,
  /** A release's `info` and an alert's `message`. */
  text: 2000,
  url: 2000,
  /** An alert's semver range. */
  affects: 200,
  /** `?limit=` of paged lists: 1..pageMax, default pageDefault. */
  pageMax: 500,
  pageDefault: 100,
  cursor: 200,
} as const;

// ---- requests -------------------------------------------------------------------------------

/** PUT /v1/admin/releases/:product */
export const releaseRequest = z.object({
  version: z.string().min(1).max(adminLimits.version),
  info: z.string().max(adminLimits.text).optional(),
  url: z.url().max(adminLimits.url).optional(),
});
export type ReleaseRequest = z.infer<typeof releaseRequest>;

/** POST /v1/admin/alerts */
export const alertRequest = z.object({
  product: productName,
  affects: z.string().min(1).max(adminLimits.affects),
  level: alertLevel,
  message: z.string().min(1).max(adminLimits.text),
  url: z.url().max(adminLimits.url).optional(),
});
export type AlertRequest = z.infer<typeof alertRequest>;

/** ?limit=&cursor= on paged admin lists. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(adminLimits.pageMax).default(adminLimits.pageDefault),
  cursor: z.string().max(adminLimits.cursor).optional(),
});

/**
 * GET /v1/admin/instances?product=&version=&license_type=&q=&limit=&cursor= : equality filters,
 * and `q` matching the start of the id or version or any part of the OS type / release
 * (case-insensitive).
 */
export const instancesQuery = pageQuery.extend({
  product: productName.optional(),
  version: z.string().min(1).max(adminLimits.version).optional(),
  license_type: z.string().min(1).max(100).optional(),
  /** The country of the installation's last ping ('' = unknown, as the stats filters take it). */
  country: z.string().max(100).optional(),
  q: z.string().min(1).max(100).optional(),
});
export type InstancesQuery = z.infer<typeof instancesQuery>;

/** GET /v1/admin/events?since=&event=&session=&instance=&product=&limit=&cursor= */
export const eventsQuery = pageQuery.extend({
  since: z
    .union([z.coerce.number().int().min(0), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])
    .optional(),
  event: z.string().min(1).max(captureLimits.eventName).optional(),
  session: z.string().min(1).max(200).optional(),
  instance: z.string().min(1).max(100).optional(),
  product: productName.optional(),
});

/** Path parameters (400 invalid_field at `$.<name>`). Instance and alert ids are random UUIDs. */
export const instancePath = z.object({ id: z.uuid() });
export const alertPath = z.object({ id: z.uuid() });
export const releasePath = z.object({ product: productName });
export const releaseVersionPath = z.object({
  product: productName,
  version: z.string().min(1).max(adminLimits.version),
});

/** Path parameter of the public DELETE /v1/instances/:instanceId (proof: the installation key, wire/instanceKey.ts). */
export const instanceIdParam = z.object({ instanceId: z.uuid() });

// ---- answers --------------------------------------------------------------------------------

/** A server time (ISO 8601, UTC). */
const time = z.iso.datetime();
/** A client-reported time: null when the stored value is not a usable date. */
const clientTime = time.nullable();
const text = z.string().nullable();
/** `next` of a paged list: the `?cursor=` of the next page, null on the last one. */
const next = z.string().nullable();

/** An installation, as GET /v1/admin/instances lists it. */
export const adminInstance = z.strictObject({
  id: z.uuid(),
  product: z.string(),
  first_seen: time,
  last_seen: time,
  version: text,
  os_type: text,
  os_release: text,
  os_arch: text,
  /** The licence TYPE; the licence id is never stored. */
  license_type: text,
  /** The country Cloudflare gave its last ping (null when none, or its pings have expired). */
  country: text,
  ping_count: z.number().int(),
  /** The one-way reference its frontend events carry (null for rows older than it, until their next ping). */
  browser_ref: text,
  /** Whether the installation has registered its key (the key's digest itself never leaves the database). */
  key_registered: z.boolean(),
});
export type AdminInstance = z.infer<typeof adminInstance>;

/** One accepted ping (its instance is the page's `instance`). */
export const adminPing = z.strictObject({
  uuid: z.uuid(),
  product: z.string(),
  version: text,
  received_at: time,
  os_type: text,
  os_release: text,
  os_arch: text,
  env: z.record(z.string(), z.string()).nullable(),
  counts: z.record(z.string(), z.number()).nullable(),
  config: z.record(z.string(), z.unknown()).nullable(),
  license_type: text,
  uptime: z.number().nullable(),
  /** What Cloudflare attached to the request; never the IP address. */
  country: text,
  asn: z.number().int().nullable(),
});
export type AdminPing = z.infer<typeof adminPing>;

/** One fact record (Firefly III's model). */
export const adminFact = z.strictObject({
  id: z.uuid(),
  kind: z.enum(["feature", "recurring"]),
  key: z.string(),
  value: z.string(),
  collected_at: clientTime,
  received_at: time,
});
export type AdminFact = z.infer<typeof adminFact>;

/** One exception report (scrubbed by the client). */
export const adminException = z.strictObject({
  id: z.uuid(),
  fingerprint: z.string(),
  type: z.string(),
  message: text,
  stack: text,
  version: text,
  collected_at: clientTime,
  received_at: time,
});
export type AdminException = z.infer<typeof adminException>;

/** An instance's exceptions grouped by fingerprint: reports, first and last receive time. */
export const adminExceptionGroup = z.strictObject({
  fingerprint: z.string(),
  type: z.string(),
  count: z.number().int(),
  first_seen: clientTime,
  last_seen: clientTime,
});
export type AdminExceptionGroup = z.infer<typeof adminExceptionGroup>;

/** One stored frontend event (already reduced to the capture allow-list). */
export const adminEvent = z.strictObject({
  uuid: z.string(),
  product: z.string(),
  event: z.string(),
  /** The client's time. */
  timestamp: clientTime,
  received_at: time,
  distinct_id: text,
  session_id: text,
  path: text,
  referrer_domain: text,
  browser: text,
  os: text,
  lib: text,
  lib_version: text,
  /** The installation's browser reference, never its id. */
  instance_ref: text,
  app_version: text,
  license_type: text,
  duration_ms: z.number().nullable(),
  props: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable(),
});
export type AdminEvent = z.infer<typeof adminEvent>;

/** A product's latest release. */
export const adminRelease = z.strictObject({
  product: z.string(),
  version: z.string(),
  info: text,
  url: text,
  updated_at: time,
});
export type AdminRelease = z.infer<typeof adminRelease>;

/** An alert sent to installations whose version satisfies `affects`. */
export const adminAlert = z.strictObject({
  id: z.uuid(),
  product: z.string(),
  affects: z.string(),
  level: alertLevel,
  message: z.string(),
  url: text,
  created_at: time,
});
export type AdminAlert = z.infer<typeof adminAlert>;

/** `{items, next}`: every paged list. */
function page<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), next });
}
/** `{instance, items, next}`: every per-instance list (404 when the instance is unknown). */
function instancePage<T extends z.ZodType>(item: T) {
  return z.strictObject({ instance: adminInstance, items: z.array(item), next });
}

/** GET /v1/admin/instances: most recently seen first. */
export const instancesAnswer = page(adminInstance);
export type InstancesAnswer = z.infer<typeof instancesAnswer>;
/** GET /v1/admin/instances/:id/pings: newest first. */
export const instancePingsAnswer = instancePage(adminPing);
export type InstancePingsAnswer = z.infer<typeof instancePingsAnswer>;
/** GET /v1/admin/instances/:id/facts: newest first. */
export const instanceFactsAnswer = instancePage(adminFact);
export type InstanceFactsAnswer = z.infer<typeof instanceFactsAnswer>;
/** GET /v1/admin/instances/:id/exceptions: newest first, plus the instance's groups (at most 100). */
export const instanceExceptionsAnswer = instancePage(adminException).extend({
  groups: z.array(adminExceptionGroup),
});
export type InstanceExceptionsAnswer = z.infer<typeof instanceExceptionsAnswer>;
/** GET /v1/admin/events: newest first. */
export const eventsAnswer = page(adminEvent);
export type EventsAnswer = z.infer<typeof eventsAnswer>;
/** GET /v1/admin/releases: one per product, by product. */
export const releasesAnswer = z.strictObject({ items: z.array(adminRelease) });
export type ReleasesAnswer = z.infer<typeof releasesAnswer>;
/** GET /v1/admin/alerts: newest first. */
export const alertsAnswer = z.strictObject({ items: z.array(adminAlert) });
export type AlertsAnswer = z.infer<typeof alertsAnswer>;
/** PUT /v1/admin/releases/:product -> 200. */
export const releaseAnswer = z.strictObject({ release: adminRelease });
export type ReleaseAnswer = z.infer<typeof releaseAnswer>;
/** POST /v1/admin/alerts -> 201. */
export const alertAnswer = z.strictObject({ alert: adminAlert });
export type AlertAnswer = z.infer<typeof alertAnswer>;

/** GET /v1/admin/dead-letters?limit=&cursor= : ingestion messages the queue consumer gave up on. */
export const deadLettersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(1024).optional(),
});
export const deadLetterItem = z.strictObject({
  /** The queue's message id. */
  id: z.string(),
  /** When it reached the dead-letter queue (ISO 8601). */
  dead_at: z.string(),
  /** Bytes it takes in R2. */
  bytes: z.number().int(),
});
/** Oldest first; `next` is the cursor of the following page, or null. */
export const deadLettersAnswer = z.strictObject({ items: z.array(deadLetterItem), next: z.string().nullable() });
export type DeadLettersAnswer = z.infer<typeof deadLettersAnswer>;
/** POST /v1/admin/dead-letters/replay?limit= : resends the oldest `limit` to the ingestion queue. */
export const replayQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(100) });
/** How many were resent (and removed from the dead letters); `remaining`: whether more are left. */
export const replayAnswer = z.strictObject({ replayed: z.number().int(), remaining: z.boolean() });
export type ReplayAnswer = z.infer<typeof replayAnswer>;
