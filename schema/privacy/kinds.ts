/** What the scrubber finds and replaces, each by its own placeholder. */
export const privateKinds = [
  "email", // alice@example.com
  "ip", // IPv4 / IPv6 address (a port after it is kept: <ip>:5432)
  "url", // a URL with credentials or a query string (the whole URL goes)
  "path", // an absolute path outside a home directory (the basename is kept: <path>/x.js)
  "home", // a home directory, or a path inside one (<home>, <path>/x.js)
  "user", // a user name (known to the caller, or learned from a home directory in the same text)
  "host", // a host name (known to the caller, a private-DNS name, or the name a DNS error names)
  "secret", // a key, token, password or private key
  "id", // a UUID
  "mac", // a MAC address
] as const;
export type PrivateKind = (typeof privateKinds)[number];

/** The placeholder each kind leaves in the text. Paths keep their basename after `<path>/`. */
export const placeholders: Readonly<Record<PrivateKind, string>> = {
  email: "<email>",
  ip: "<ip>",
  url: "<url>",
  path: "<path>/",
  home: "<home>",
  user: "<user>",
  host: "<host>",
  secret: "<secret>",
  id: "<id>",
  mac: "<mac>",
};

/**
 * Kinds a random identifier trips by design (a UUID is an `id`, a random token a `secret`):
 * fields that ARE random identifiers (a capture distinct_id or session id, an Idempotency-Key)
 * ignore them and look only for the kinds that name a person or a machine.
 */
export const randomKinds: ReadonlySet<PrivateKind> = new Set(["id", "secret"]);

/** The first kind found that names a person or a machine (not `randomKinds`), if any. */
export function personalKind(found: readonly PrivateKind[]): PrivateKind | undefined {
  return found.find((k) => !randomKinds.has(k));
}
