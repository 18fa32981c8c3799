/**
 * Recognisers for values that must never be stored: identifiers, tokens, URLs, addresses.
 * Used by the allow-list (strip.ts) on every free-text field and on path segments.
 */

const uuidShape = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i;

/** A UUID, dashed or not, in any case -> dashed lower case; anything else -> null. */
export function canonicalUuid(value: string): string | null {
  const m = uuidShape.exec(value);
  return m ? m.slice(1).join("-").toLowerCase() : null;
}

const ipv4 = /(^|[^\d.])\d{1,3}(\.\d{1,3}){3}($|[^\d.])/;
/** An IPv6 literal: hex digits with `::` or >= 5 colons, optionally in brackets or with a zone. */
const ipv6 = /^\[?(?=.*::|(?:[^:]*:){5})[0-9a-f:.]+(%[\w.]+)?\]?$/i;

/** An IP address literal (a host name that is an address, not a name). */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || ipv6.test(host);
}

/** Best-effort percent-decoding (a malformed escape leaves the text as it is). */
export function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A long base64 / base64url-like token: >= 20 chars, a digit, and mixed case or no separators. */
function isToken(s: string): boolean {
  if (s.length < 20 || !/^[A-Za-z0-9+/_=.~-]+$/.test(s) || !/\d/.test(s)) return false;
  return (/[a-z]/.test(s) && /[A-Z]/.test(s)) || !/[-_.]/.test(s);
}

/**
 * A path segment (or short value) that identifies someone or something: a UUID, a run of >= 16
 * hex digits, an email address, a run of >= 6 digits, or a long token.
 */
export function looksLikeId(segment: string): boolean {
  const s = decoded(segment);
  return canonicalUuid(s) !== null || /[0-9a-f]{16,}/i.test(s) || s.includes("@") || /\d{6,}/.test(s) || isToken(s);
}

/**
 * A free-text value that must not be stored: anything `looksLikeId` matches, a URL or query
 * string, an IP address, or a chunk of >= 8 letters and digits mixed (`7f3a9c2e`, `x6Y8pQ2w`).
 */
export function looksSensitive(value: string): boolean {
  const s = decoded(value);
  if (looksLikeId(s) || s.split(/\s+/).some(looksLikeId)) return true;
  if (/:\/\/|^www\.|^(https?|ftp|file|mailto|tel|data|javascript|wss?):|[?&][^=\s&]+=/i.test(s)) return true;
  if (ipv4.test(s) || s.split(/[\s,;]+/).some(isIpLiteral)) return true;
  return s.split(/[^A-Za-z0-9]+/).some((c) => c.length >= 8 && /\d/.test(c) && /[a-z]/i.test(c));
}
