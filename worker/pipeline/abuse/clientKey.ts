import { readSalt } from "../../store/salts";
import type { Db } from "../../store/db";
import { clientAddress } from "../../lib/clientAddress";
import { utcDay } from "../../lib/time";
import { toHex } from "../../lib/hex";

/** While today has no salt yet, D1 is asked again at most this often (per isolate). */
const RECHECK_MS = 60_000;

/** Per-isolate cache of the HMAC key in use (a cache, not request state). */
let current: { day: string; key: CryptoKey; salted: boolean; checkedAt: number } | undefined;
/** This isolate's own random key, made on first need (random values cannot be made at module scope). */
let isolateKey: Promise<CryptoKey> | undefined;

function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/**
 * Today's HMAC key: from today's salt (the cron creates today's and tomorrow's), read and never
 * written. Before the first cron run there is no salt: the isolate's own random key is used,
 * which needs no storage (budgets are then per isolate rather than per location, until the salt
 * exists).
 */
async function todaysKey(db: Db, now: number): Promise<CryptoKey> {
  const day = utcDay(now);
  if (current?.day === day && (current.salted || now - current.checkedAt < RECHECK_MS)) return current.key;
  const salt = await readSalt(db, day);
  const key = salt
    ? await importKey(new TextEncoder().encode(salt))
    : await (isolateKey ??= importKey(crypto.getRandomValues(new Uint8Array(32))));
  current = { day, key, salted: salt !== undefined, checkedAt: now };
  return key;
}

/**
 * The opaque key a client is damped by: HMAC-SHA-256(today's salt, client address), hex, where
 * the address is the IPv4 address or the IPv6 /64 (lib/clientAddress.ts). Computing it writes
 * nothing (so a refused request writes nothing, not even a salt row). The address and this key
 * are never stored or logged; the salt rotates daily and is deleted after 48 h, so yesterday's
 * keys cannot be recomputed.
 */
export async function clientKey(db: Db, request: Request, now: number): Promise<string> {
  const key = await todaysKey(db, now);
  const address = clientAddress(request.headers.get("cf-connecting-ip"));
  return toHex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(address)));
}
