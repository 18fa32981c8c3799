import { saltFor } from "../../store/salts";
import type { Db } from "../../store/db";
import { utcDay } from "../../lib/time";
import { toHex } from "../../lib/hex";

/** Per-isolate cache of the imported HMAC key of the current salt (a cache, not request state). */
let cached: { salt: string; key: CryptoKey } | undefined;

async function hmacKey(salt: string): Promise<CryptoKey> {
  if (cached?.salt === salt) return cached.key;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(salt),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  cached = { salt, key };
  return key;
}

/**
 * An opaque per-client key for abuse damping: HMAC-SHA-256(daily salt, client IP), hex.
 * The IP and this key are never stored or logged; the salt rotates daily and is deleted after
 * 48 h (scheduled.ts), so yesterday's keys cannot be recomputed.
 */
export async function ipKey(db: Db, request: Request, now: number): Promise<string> {
  const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
  const key = await hmacKey(await saltFor(db, utcDay(now), now));
  return toHex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(ip)));
}
