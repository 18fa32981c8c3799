import { HttpError } from "../lib/error";
import { log } from "../lib/log";
import { config } from "../config";

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
}

/** What an admin request presented: no Authorization header, the right bearer token, or anything else. */
export type AdminCredential = "missing" | "ok" | "wrong";

/**
 * Checks an admin request's bearer token in constant time: timingSafeEqual throws on unequal
 * lengths, so both sides are compared as SHA-256 digests. A missing or short (< 16 characters)
 * ADMIN_TOKEN secret -> 503 not_configured, never open.
 */
export async function adminCredential(request: Request, env: Env): Promise<AdminCredential> {
  const expected = config(env).adminToken;
  if (!expected || expected.length < 16) {
    log("error", "ADMIN_TOKEN secret is not set or shorter than 16 characters");
    throw new HttpError(503, "not_configured", "Configuration variable ADMIN_TOKEN is missing or invalid.");
  }
  const header = request.headers.get("authorization");
  if (header === null) return "missing";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const [a, b] = await Promise.all([digest(match?.[1] ?? ""), digest(expected)]);
  return match && crypto.subtle.timingSafeEqual(a, b) ? "ok" : "wrong";
}

/** The 401 of an admin request without the right token. */
export function adminUnauthorized(): HttpError {
  return new HttpError(401, "unauthorized", "Missing or wrong admin token.", {}, { "www-authenticate": "Bearer" });
}
