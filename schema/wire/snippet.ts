/**
 * The part of the capture contract that the browser snippet needs too. Zod-free on purpose: the
 * snippet's gate must stay under 2 KB gzip, so it imports these plain constants, and the worker's
 * zod schemas (capture.ts, pipeline/events) are built from the same ones.
 */

/**
 * The snippet's own properties, the only non-PostHog properties the worker keeps.
 * `instanceRef` carries the installation's browser reference (wire/browserRef.ts), never its id:
 * `candor_instance_id`, which snippets before it sent, is dropped like any unknown property.
 */
export const snippetProps = {
  route: "candor_route",
  instanceRef: "candor_instance_ref",
  appVersion: "candor_app_version",
  licenseType: "candor_license_type",
  durationMs: "candor_duration_ms",
  props: "candor_props",
} as const;

/** Limits on what the snippet may send in its own properties. */
export const snippetLimits = { eventName: 120, customProps: 10, customString: 64, licenseType: 32 } as const;

/**
 * Custom event names: a letter or digit, then letters, digits, space and `_ . : / -`, at most
 * 120 characters. `$`-names other than `$pageview` / `$pageleave` are PostHog internals: dropped.
 */
export const customEventName = /^[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,119}$/;
/** Keys of `candor_props`: lower-case snake case, at most 40 characters. */
export const customPropKey = /^[a-z][a-z0-9_]{0,39}$/;
/** A licence tier ("enterprise", "EE"): a slug of at most 32 characters. */
export const licenseTier = /^[A-Za-z0-9._-]{1,32}$/;
