import { HttpError } from "./error";
import { log } from "./log";

/**
 * Abuse damping through Rate Limiting bindings (wrangler.toml `[[ratelimits]]`): approximate,
 * counted per Cloudflare location, so damping, never a quota.
 */

/** The binding, or a loud 503 naming it: a missing limiter never means unlimited. */
export function requireLimiter(limiter: RateLimit | undefined, binding: string): RateLimit {
  if (!limiter) {
    log("error", "rate limiting binding is missing", { binding });
    throw new HttpError(503, "not_configured", `Binding ${binding} is missing.`);
  }
  return limiter;
}

/**
 * Spends `weight` units of `key`'s budget; true when every unit was granted. The units are
 * `weight` calls of `limit()`: workers-types also declares `limit({key, delta})`, but the local
 * simulation (miniflare 5.20261102) rejects any option but key/limit/period, so tests and
 * `wrangler dev` could not run it.
 */
export async function spend(limiter: RateLimit, key: string, weight = 1): Promise<boolean> {
  const outcomes = await Promise.all(Array.from({ length: weight }, () => limiter.limit({ key })));
  return outcomes.every((o) => o.success);
}

/** The 429 of a refused request: Retry-After (seconds) plus any headers the route adds (e.g. Sentry's). */
export function rateLimited(retryAfter: number, headers: Record<string, string> = {}): HttpError {
  return new HttpError(
    429,
    "rate_limited",
    "Too many requests; slow down.",
    {},
    {
      ...headers,
      "retry-after": String(retryAfter),
    },
  );
}
