/**
 * Steps 4 and 6: strip an event down to the allow-list, then build its row (step 5,
 * pseudonymize.ts, replaces a distinct_id or $session_id that names a person).
 * Kept: uuid, name, client time, distinct id, session id, path (no query or fragment, or the
 * snippet's route template), referrer DOMAIN, browser and OS FAMILY (PostHog's `$browser` /
 * `$os`; the raw User-Agent is never read), lib and version, and the snippet's own properties.
 * Everything else (IP, `$raw_user_agent`, full URLs, titles, licence id, ...) is dropped, and
 * the free-text fields that remain are checked so that no id, token, URL or address slips in:
 * `$lib`, `$lib_version` and `candor_app_version` holding anything schema/privacy/scrub.ts finds
 * (an e-mail, IP, URL, path, name, token, UUID) are dropped; they describe software, so a
 * placeholder would only add a meaningless value to the lib and version breakdowns.
 */
import { z } from "zod";
import { browserRefPattern } from "../../../schema/wire/browserRef";
import { captureLimits, customPropKey, licenseTier, snippetProps } from "../../../schema/wire/capture";
import { memo } from "../../lib/memo";
import { utcDay } from "../../lib/time";
import type { EventRow } from "../../store/events";
import { pathOnly, referrerDomain } from "./pageLocation";
import { scrub } from "../../../schema/privacy/scrub";
import { canonicalUuid, looksSensitive } from "./sensitive";
import type { Checked } from "./steps";

const text = (max: number) => z.string().min(1).max(max).optional().catch(undefined);
/**
 * Free text describing software (`web`, `1.449.2`): bounded here, then absent when it holds
 * anything private (Checks.software / Checks.version, after the parse: memoised per request).
 */
const software = text;
/** A family name such as "Chrome", "Mobile Safari", "Mac OS X": letters and spaces, no versions. */
const family = z
  .string()
  .regex(/^[A-Za-z][A-Za-z ]{0,31}$/)
  .optional()
  .catch(undefined);
/** A licence TIER ("enterprise", "team"): a short slug that does not look like an id or token. */
const licenseType = z
  .string()
  .regex(licenseTier)
  .refine((s) => !looksSensitive(s))
  .optional()
  .catch(undefined);
/**
 * The installation's browser reference (schema/wire/browserRef.ts): 22 base64url characters, so
 * never a UUID. A raw installation id is never read from a browser (`candor_instance_id`, which
 * older snippets sent, is not in this allow-list).
 */
const instanceRef = z.string().regex(browserRefPattern).optional().catch(undefined);
/** A custom property value: a short string that is no URL, IP, email, UUID or token; a number; a boolean. */
const scalar = z.union([
  z
    .string()
    .max(captureLimits.customString)
    .refine((s) => !looksSensitive(s)),
  z.number().finite(),
  z.boolean(),
]);
/** At most 10 well-named keys (else none kept); a value that is not a safe scalar is dropped. */
const customProps = z
  .record(z.string().regex(customPropKey), z.unknown())
  .refine((o) => Object.keys(o).length <= captureLimits.customProps)
  .transform((o) => {
    const kept = Object.entries(o).filter(([, v]) => scalar.safeParse(v).success) as Array<
      [string, string | number | boolean]
    >;
    return kept.length ? Object.fromEntries(kept) : undefined;
  })
  .optional()
  .catch(undefined);

/** The only properties read; zod drops every other key. Bad values become absent, not errors. */
const allowed = z.object({
  distinct_id: z
    .union([z.string().max(200), z.number()])
    .optional()
    .catch(undefined),
  $session_id: text(200),
  $current_url: text(8000),
  $pathname: text(8000),
  $referrer: text(8000),
  $referring_domain: text(300),
  $browser: family,
  $os: family,
  $lib: software(64),
  $lib_version: software(64),
  $prev_pageview_duration: z.number().min(0).optional().catch(undefined),
  [snippetProps.route]: text(captureLimits.path),
  [snippetProps.instanceRef]: instanceRef,
  [snippetProps.appVersion]: software(64),
  [snippetProps.licenseType]: licenseType,
  [snippetProps.durationMs]: z.number().min(0).max(1e10).optional().catch(undefined),
  [snippetProps.props]: customProps,
});

export interface CleanEvent {
  uuid: string;
  event: string;
  timestamp: number | null;
  distinctId: string | null;
  sessionId: string | null;
  path: string | null;
  referrerDomain: string | null;
  browser: string | null;
  os: string | null;
  lib: string | null;
  libVersion: string | null;
  instanceRef: string | null;
  appVersion: string | null;
  licenseType: string | null;
  durationMs: number | null;
  props: Record<string, string | number | boolean> | null;
}

/**
 * The allow-list's checks of free text, each a pure function of one value, remembered for one
 * request (lib/memo.ts): a batch's events share their path, library and version values, so each
 * distinct value is scrubbed once. Make one per request (stripChecks()).
 */
export interface Checks {
  path: (value: string) => string | null;
  /** True when `$lib` may be kept (the scrubber finds nothing). */
  software: (value: string) => boolean;
  /** True when a version (`$lib_version`, the app version) may be kept (a dotted quad is a version). */
  version: (value: string) => boolean;
}

export function stripChecks(): Checks {
  return {
    path: memo(pathOnly),
    software: memo((s) => scrub(s).found.length === 0),
    version: memo((s) => scrub(s, { version: true }).found.length === 0),
  };
}

const kept = (value: string | undefined, ok: (value: string) => boolean): string | null =>
  value !== undefined && ok(value) ? value : null;

/** Step 4: the allow-list (`checks`: one request's, shared by its events). */
export function strip({ event: e }: Checked, checks: Checks = stripChecks()): CleanEvent {
  const p = allowed.parse(e.properties ?? {});
  const time = e.timestamp === undefined ? NaN : Date.parse(e.timestamp);
  const distinct = p.distinct_id ?? e.distinct_id;
  const location = p[snippetProps.route] ?? p.$pathname ?? p.$current_url;
  const duration =
    p[snippetProps.durationMs] ??
    (p.$prev_pageview_duration === undefined ? undefined : p.$prev_pageview_duration * 1000);
  return {
    uuid: canonicalUuid(e.uuid) ?? e.uuid.toLowerCase(),
    event: e.event,
    timestamp: Number.isFinite(time) ? time : null,
    distinctId: distinct === undefined ? null : String(distinct).slice(0, 200),
    sessionId: p.$session_id ?? null,
    path: location === undefined ? null : checks.path(location),
    referrerDomain: referrerDomain(p.$referrer, p.$referring_domain),
    browser: p.$browser ?? null,
    os: p.$os ?? null,
    lib: kept(p.$lib, checks.software),
    libVersion: kept(p.$lib_version, checks.version),
    instanceRef: p[snippetProps.instanceRef] ?? null,
    appVersion: kept(p[snippetProps.appVersion], checks.version),
    licenseType: p[snippetProps.licenseType] ?? null,
    durationMs: duration === undefined ? null : Math.round(duration),
    props: p[snippetProps.props] ?? null,
  };
}

/** Step 5: the stored row (`day`: the UTC day of `now`, passed in when a caller makes many rows). */
export function toRow(e: CleanEvent, product: string, now: number, day = utcDay(now)): EventRow {
  return { ...e, product, receivedAt: now, day };
}
