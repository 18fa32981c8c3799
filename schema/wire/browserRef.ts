/**
 * The browser reference of an installation: what a host hands to its frontend (the snippet's
 * `instanceRef`, sent as `candor_instance_ref`) instead of the installation id. It is a one-way,
 * versioned, domain-separated derivation of the id:
 *
 *   base64url( SHA-256( "candor.browser-ref.v1:" + lower-case(instanceId) )[0..16) )   (22 chars)
 *
 * The worker computes it for every pinging instance (instances.browser_ref) to join events to
 * their installation, and erases events by it. Knowing it does not reveal the id (a random
 * UUIDv4: 122 random bits), so a console user who reads it can neither erase nor impersonate the
 * installation. 128 bits of the digest keep collisions out of reach for any number of
 * installations. Zod-free and import-free: the worker, the Node client and tests share it.
 */

/** Domain separation and version: a v2 changes this label (and the stored values). */
export const browserRefLabel = "candor.browser-ref.v1:";
/** Digest bytes kept (128 bits). */
export const browserRefBytes = 16;
/** The shape of a reference: 22 base64url characters (never a UUID, dashed or not). */
export const browserRefPattern = /^[A-Za-z0-9_-]{22}$/;

/** The bytes hashed for `instanceId`: the label, then the id in lower case, UTF-8. */
export function browserRefInput(instanceId: string): Uint8Array {
  return new TextEncoder().encode(browserRefLabel + instanceId.toLowerCase());
}

/** The reference from a SHA-256 digest of `browserRefInput`: its first 16 bytes, base64url, unpadded. */
export function browserRefFromDigest(digest: ArrayBuffer | Uint8Array): string {
  const bytes = new Uint8Array(digest).subarray(0, browserRefBytes);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The reference of `instanceId` with WebCrypto (the worker; browsers and Node >= 19 have it too). */
export async function browserRef(instanceId: string): Promise<string> {
  const input = browserRefInput(instanceId);
  return browserRefFromDigest(await crypto.subtle.digest("SHA-256", input as Uint8Array<ArrayBuffer>));
}
