import { HttpError } from "../http/error";

/**
 * Abuse damping through the Rate Limiting binding (approximate, per location: not a quota).
 * Over the limit -> 429 rate_limited with Retry-After.
 */
export async function damp(limiter: RateLimit, key: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw new HttpError(429, "rate_limited", "Too many requests; slow down.", {}, { "retry-after": "60" });
}
