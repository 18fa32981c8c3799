/**
 * The snippet's own checks on what it sends (the worker checks again): an installation's browser
 * reference (never its id), a licence tier that is a short slug, custom event names and short,
 * harmless property values.
 */
import { browserRefPattern } from "@candor-telemetry/schema/wire/browserRef";
import { customEventName, customPropKey, licenseTier, snippetLimits } from "@candor-telemetry/schema/wire/snippet";
type Scalar = string | number | boolean;

/** A value that may carry an id or an address: an email, URL, query, IP, UUID, hex or digit run, token. */
export const unsafe = (s: string): boolean =>
  s.length > snippetLimits.customString ||
  /@|:\/\/|^www\.|[?&][^=\s&]*=|\d{6}|[0-9a-f]{16}|\d+\.\d+\.\d+\.\d+|::|[0-9a-f]{8}-[0-9a-f]{4}/i.test(s) ||
  s.split(/[^a-z\d]+/i).some((c) => c.length > 7 && /\d/.test(c) && /[a-z]/i.test(c));

/** The installation's browser reference, if it has the shape of one (a raw UUID never has). */
export const reference = (ref?: string): string | undefined => (ref && browserRefPattern.test(ref) ? ref : undefined);

/** The licence tier ("enterprise"), if it is a slug of <= 32 chars that does not look like an id. */
export const tier = (t?: string): string | undefined => (t && licenseTier.test(t) && !unsafe(t) ? t : undefined);

/** A custom event name: letters, digits, ` _.:/-`, at most 120 characters. */
export const eventName = (n: string): boolean => customEventName.test(n);

/** At most 10 well-named keys with finite numbers, booleans or safe short strings; the rest dropped. */
export function cleanProps(props: Record<string, Scalar> = {}): Record<string, Scalar> | undefined {
  const kept = Object.entries(props)
    .filter(
      ([k, v]) =>
        customPropKey.test(k) && (typeof v == "string" ? !unsafe(v) : typeof v == "boolean" || Number.isFinite(v)),
    )
    .slice(0, snippetLimits.customProps);
  return kept.length ? Object.fromEntries(kept) : undefined;
}
