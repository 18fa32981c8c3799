import { HttpError } from "./error";
import { log } from "./log";

/**
 * Abuse damping through the Rate Limiting binding (approximate, per location: not a quota).
 * Over the limit -> 429 rate_limited with Retry-After; a missing binding -> 503 (never unlimited).
 */
export async function damp(limiter: RateLimit | undefined, key: string): Promise<void> {
  if (!limiter) {
    log("error", "PING_LIMITER binding is missing");
    throw new HttpError(503, "not_configured", "Rate limiting is not configured.");
  }
  const { success } = await limiter.limit({ key });
  if (!success) throw new HttpError(429, "rate_limited", "Too many requests; slow down.", {}, { "retry-after": "60" });
}
