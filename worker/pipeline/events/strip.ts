/**
 * Steps 4-5: strip an event down to the allow-list, then build its row.
 * Kept: uuid, name, client time, distinct id, session id, path (no query or fragment, or the
 * snippet's route template), referrer DOMAIN, browser and OS FAMILY (PostHog's `$browser` /
 * `$os`; the raw User-Agent is never read), lib and version, and the snippet's own properties.
 * Everything else (IP, `$raw_user_agent`, full URLs, titles, licence id, ...) is dropped.
 */
import { z } from "zod";
import { captureLimits, snippetProps } from "../../../schema/wire/capture";
import { utcDay } from "../../lib/time";
import type { EventRow } from "../../store/events";
import type { Checked } from "./steps";

const text = (max: number) => z.string().min(1).max(max).optional().catch(undefined);
/** A family name such as "Chrome", "Mobile Safari", "Mac OS X": no version digits beyond a few. */
const family = z.string().regex(/^[A-Za-z][A-Za-z0-9 ._-]{0,39}$/).optional().catch(undefined);
const scalar = z.union([z.string().max(captureLimits.customString), z.number(), z.boolean()]);
const customProps = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), scalar)
  .refine((o) => Object.keys(o).length <= captureLimits.customProps)
  .optional()
  .catch(undefined);

/** The only properties read; zod drops every other key. Bad values become absent, not errors. */
const allowed = z.object({
  distinct_id: z.union([z.string().max(200), z.number()]).optional().catch(undefined),
  $session_id: text(200),
  $current_url: text(8000),
  $pathname: text(8000),
  $referrer: text(8000),
  $referring_domain: text(300),
  $browser: family,
  $os: family,
  $lib: text(64),
  $lib_version: text(64),
  $prev_pageview_duration: z.number().min(0).optional().catch(undefined),
  [snippetProps.route]: text(captureLimits.path),
  [snippetProps.instanceId]: text(100),
  [snippetProps.appVersion]: text(64),
  [snippetProps.licenseType]: text(64),
  [snippetProps.durationMs]: z.number().min(0).max(1e10).optional().catch(undefined),
  [snippetProps.props]: customProps,
});

/** Path only: drops scheme, host, query and fragment; always starts with `/`; bounded. */
export function pathOnly(value: string | undefined): string | null {
  if (value === undefined) return null;
  let path: string;
  try {
    path = new URL(value, "http://x.invalid").pathname;
  } catch {
    return null;
  }
  // Kept percent-encoded: decoding could turn `%3F` back into a `?`.
  return path.slice(0, captureLimits.path) || "/";
}

/** Referrer reduced to its host name; `$direct` and junk -> null. */
export function referrerDomain(referrer: string | undefined, domain: string | undefined): string | null {
  for (const candidate of [referrer, domain && `https://${domain}`]) {
    if (!candidate || candidate === "$direct") continue;
    try {
      const host = new URL(candidate).hostname.toLowerCase();
      if (host) return host.slice(0, 253);
    } catch {
      // not a URL: try the next candidate
    }
  }
  return null;
}

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
  instanceId: string | null;
  appVersion: string | null;
  licenseType: string | null;
  durationMs: number | null;
  props: Record<string, string | number | boolean> | null;
}

/** Step 4: the allow-list. */
export function strip({ event: e }: Checked): CleanEvent {
  const p = allowed.parse(e.properties ?? {});
  const time = e.timestamp === undefined ? NaN : Date.parse(e.timestamp);
  const distinct = p.distinct_id ?? e.distinct_id;
  const duration = p[snippetProps.durationMs] ?? (p.$prev_pageview_duration === undefined ? undefined : p.$prev_pageview_duration * 1000);
  return {
    uuid: e.uuid.toLowerCase(),
    event: e.event,
    timestamp: Number.isFinite(time) ? time : null,
    distinctId: distinct === undefined ? null : String(distinct).slice(0, 200),
    sessionId: p.$session_id ?? null,
    path: pathOnly(p[snippetProps.route] ?? p.$pathname ?? p.$current_url),
    referrerDomain: referrerDomain(p.$referrer, p.$referring_domain),
    browser: p.$browser ?? null,
    os: p.$os ?? null,
    lib: p.$lib ?? null,
    libVersion: p.$lib_version ?? null,
    instanceId: p[snippetProps.instanceId] ?? null,
    appVersion: p[snippetProps.appVersion] ?? null,
    licenseType: p[snippetProps.licenseType] ?? null,
    durationMs: duration === undefined ? null : Math.round(duration),
    props: p[snippetProps.props] ?? null,
  };
}

/** Step 5: the stored row. */
export function toRow(e: CleanEvent, product: string, now: number): EventRow {
  return { ...e, product, receivedAt: now, day: utcDay(now) };
}
