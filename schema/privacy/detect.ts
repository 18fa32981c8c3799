/** Checks the scrubber's patterns cannot express alone: a real IPv6 address, a random-looking token. */

const ipv4Re = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIpv4(s: string): boolean {
  return ipv4Re.test(s);
}

/**
 * An IPv6 address (without brackets, zone or port): eight groups, or fewer around one `::`, an
 * IPv4 tail allowed. It must hold a digit: `Abc::Def` or `dead::beef` are names, not addresses.
 */
export function isIpv6(s: string): boolean {
  if (!/\d/.test(s)) return false;
  let v = s;
  const tail = /:((?:\d{1,3}\.){3}\d{1,3})$/.exec(v);
  if (tail) {
    if (!isIpv4(tail[1]!)) return false;
    v = `${v.slice(0, -tail[1]!.length)}0:0`; // the IPv4 tail stands for two groups
  }
  const halves = v.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

const charClass = (c: string) => (/\d/.test(c) ? 0 : /[a-z]/.test(c) ? 1 : /[A-Z]/.test(c) ? 2 : 3);

/**
 * A random-looking token of >= 20 characters (API keys, session ids, base64 secrets):
 * - letters of both cases and >= 2 digits, the character class (digit, lower, upper, other)
 *   changing at >= 40% of positions (random base62 changes at ~60%; `base64ToUint8ArrayConverter`
 *   at 37%, `sha256WithRSAEncryption` at 18%), or
 * - lower-case letters and >= 4 digits without separators, changing at >= 25% (random base36
 *   changes at ~40%; `x86_64-pc-linux-gnu` has separators).
 */
export function looksLikeToken(s: string): boolean {
  if (s.length < 20) return false;
  const digits = s.replace(/\D/g, "").length;
  const upper = /[A-Z]/.test(s);
  const lower = /[a-z]/.test(s);
  let changes = 0;
  for (let i = 1; i < s.length; i++) if (charClass(s[i]!) !== charClass(s[i - 1]!)) changes++;
  const rate = changes / (s.length - 1);
  if (upper && lower && digits >= 2) return rate >= 0.4;
  if (!upper && lower && digits >= 4 && !/[_+-]/.test(s)) return rate >= 0.25;
  return false;
}
