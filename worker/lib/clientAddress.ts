/**
 * The address a client is counted by for abuse damping, from `CF-Connecting-IP`:
 *
 * - IPv4: the full address (`4:198.51.100.7`). One NAT is one client.
 * - IPv6: the /64 prefix (`6:2001:db8:1:2::/64`). A /64 is one subscriber's network; hosts
 *   rotate privacy addresses inside it (RFC 8981), so counting full addresses would hand a client a
 *   fresh budget with every address it picks.
 * - IPv4-mapped IPv6 (`::ffff:198.51.100.7`, also in hex form) is the IPv4 address it maps.
 * - Anything else (missing, unparseable): `unknown`, one shared budget.
 *
 * Pure; the result is only ever fed to an HMAC (pipeline/abuse/clientKey.ts), never stored.
 */
export function clientAddress(raw: string | null): string {
  const text = (raw ?? "").trim();
  const v4 = parseV4(text);
  if (v4) return `4:${v4.join(".")}`;
  const v6 = parseV6(text);
  if (!v6) return "unknown";
  if (v6.slice(0, 5).every((h) => h === 0) && v6[5] === 0xffff) {
    return `4:${[v6[6]! >> 8, v6[6]! & 255, v6[7]! >> 8, v6[7]! & 255].join(".")}`;
  }
  return `6:${v6
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":")}::/64`;
}

/** Dotted quad -> 4 bytes, or null. */
function parseV4(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** IPv6 text (RFC 4291 forms: `::` once, an IPv4 tail, a zone, brackets) -> 8 hextets, or null. */
function parseV6(text: string): number[] | null {
  let s = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const tail = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (tail) {
    const b = parseV4(tail[2]!);
    if (!b) return null;
    s = `${tail[1]}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string): string[] => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}
