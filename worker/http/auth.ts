import { HttpError } from "../lib/error";
import { log } from "../lib/log";
import { config } from "../config";

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
}

/**
 * Bearer-token check for admin routes, in constant time: timingSafeEqual throws on unequal
 * lengths, so both sides are compared as SHA-256 digests. Missing secret -> 503, never open.
 */
export async function requireAdmin(request: Request, env: Env): Promise<void> {
  const expected = config(env).adminToken;
  if (!expected || expected.length < 16) {
    log("error", "ADMIN_TOKEN secret is not set or shorter than 16 characters");
    throw new HttpError(503, "not_configured", "Configuration variable ADMIN_TOKEN is missing or invalid.");
  }
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const given = match?.[1] ?? "";
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  if (!match || !crypto.subtle.timingSafeEqual(a, b)) {
    throw new HttpError(401, "unauthorized", "Missing or wrong admin token.", {}, { "www-authenticate": "Bearer" });
  }
}
