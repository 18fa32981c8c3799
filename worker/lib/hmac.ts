import { toHex } from "./hex";

/** Per-isolate cache of the imported key of the current salt (a cache, not request state). */
let cached: { secret: string; key: CryptoKey } | undefined;

async function hmacKey(secret: string): Promise<CryptoKey> {
  if (cached?.secret === secret) return cached.key;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  cached = { secret, key };
  return key;
}

/** HMAC-SHA-256(secret, text) as lower-case hex (64 characters). */
export async function hmacHex(secret: string, text: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(text)));
}
