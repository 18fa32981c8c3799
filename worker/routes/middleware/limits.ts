import type { IRequest } from "itty-router";
import { config, type Config } from "../../config";
import { clientKey } from "../../pipeline/abuse/clientKey";
import { rateLimited, requireLimiter, spend } from "../../lib/rateLimit";
import { database } from "../../store/db";

/** The Rate Limiting bindings of Env (wrangler.toml `[[ratelimits]]`, typed by `npm run types`). */
type LimiterBinding = { [K in keyof Env]: Env[K] extends RateLimit ? K : never }[keyof Env];

interface LimitSpec {
  /** The binding that counts this class (each class has its own counters). */
  binding: LimiterBinding;
  /** Its `simple.period` in wrangler.toml (10 or 60 s): the Retry-After of its 429. */
  period: 10 | 60;
  /** When the deployment switched this class off (only PING_DAMPING=off, for the ping routes). */
  off?: (cfg: Config) => boolean;
}

/**
 * The limiter classes. Limits live in wrangler.toml and are justified in docs/configuration.md;
 * test/worker/routeTable.test.ts keeps this table, wrangler.toml and that document in step. `admin` counts admin authentications (routes/middleware/adminGuard.ts); the others
 * are a route row's `limit`.
 */
export const limitClasses = {
  ping: { binding: "PING_LIMITER", period: 60, off: (cfg) => !cfg.pingDamping },
  capture: { binding: "CAPTURE_LIMITER", period: 60 },
  posthog: { binding: "POSTHOG_LIMITER", period: 60 },
  protocol: { binding: "PROTOCOL_LIMITER", period: 60 },
  forget: { binding: "FORGET_LIMITER", period: 60 },
  admin: { binding: "ADMIN_LIMITER", period: 60 },
} as const satisfies Record<string, LimitSpec>;

export type LimitClass = keyof typeof limitClasses;
/** The classes a route row may name (`admin` belongs to the admin guard). */
export type RouteLimit = Exclude<LimitClass, "admin">;

/**
 * Extra headers of a route's 429, given its Retry-After in seconds: the extension point for
 * protocols whose clients read their own rate-limit header besides Retry-After.
 */
export type LimitedHeaders = (retryAfter: number) => Record<string, string>;

/**
 * Sentry SDKs back off on `X-Sentry-Rate-Limits: <seconds>::organization` (every category, the
 * whole organization): for the Sentry rows, `limited: sentryRateLimits`.
 */
export const sentryRateLimits: LimitedHeaders = (retryAfter) => ({
  "x-sentry-rate-limits": `${retryAfter}::organization`,
});

/**
 * itty-router middleware that router.ts puts before the handler of every row with a `limit`:
 * one unit of the client's budget in that class, or 429 (Retry-After and the row's `limited`
 * headers). It runs before the handler, so a refused request reads no body and writes nothing;
 * the client key itself writes nothing either (pipeline/abuse/clientKey.ts).
 */
export function damping(cls: RouteLimit, limited?: LimitedHeaders) {
  const spec: LimitSpec = limitClasses[cls];
  return async (request: IRequest, env: Env): Promise<void> => {
    if (spec.off?.(config(env))) return;
    const limiter = requireLimiter(env[spec.binding], spec.binding);
    const key = await clientKey(database(env), request, Date.now());
    if (!(await spend(limiter, key))) throw rateLimited(spec.period, limited?.(spec.period));
  };
}
