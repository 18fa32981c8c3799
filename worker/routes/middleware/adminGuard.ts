import type { IRequest } from "itty-router";
import { adminCredential, adminUnauthorized } from "../../http/auth";
import { clientKey } from "../../pipeline/abuse/clientKey";
import { rateLimited, requireLimiter, spend } from "../../lib/rateLimit";
import { database } from "../../store/db";
import { limitClasses } from "./limits";

/**
 * Units of the client's ADMIN_LIMITER budget (wrangler.toml: 300 per 60 s) that one failed
 * authentication spends; an authenticated request spends 1. So 10 failures in a window block a
 * client, while the dashboard (about 7 requests per view) and scripts polling a few times a
 * second never are.
 */
export const ADMIN_FAILURE_WEIGHT = 30;

/** Per-isolate cache of blocked client keys -> until (ms): answers without asking the limiter again. */
const blocked = new Map<string, number>();

function block(key: string, until: number, now: number): void {
  if (blocked.size >= 1000) for (const [k, t] of blocked) if (t <= now) blocked.delete(k);
  if (blocked.size >= 1000) blocked.clear(); // a cache: forgetting only costs a limiter call
  blocked.set(key, until);
}

/**
 * The admin guard: itty-router middleware that router.ts runs once for every request under
 * /v1/admin/ (any method, known path or not) before any admin handler. Returns nothing when the
 * bearer token is right (routing goes on); otherwise throws:
 *
 * - 503 not_configured: ADMIN_TOKEN missing or shorter than 16 characters (never open);
 * - 401: no Authorization header (not counted: it guesses nothing), or a wrong token;
 * - 429 with Retry-After: the client (key of its address, pipeline/abuse/clientKey.ts) has spent
 *   its ADMIN_LIMITER budget. Every request that presents a token, right or wrong, consults the
 *   shared counter before its outcome is revealed, so while a client is blocked even the right
 *   token gets 429: a guess can never be confirmed. (The binding cannot be read without counting,
 *   hence right tokens spend 1 unit and failures {@link ADMIN_FAILURE_WEIGHT}.)
 */
export async function adminGuard(request: IRequest, env: Env): Promise<void> {
  const credential = await adminCredential(request, env); // constant-time compare; 503 first
  if (credential === "missing") throw adminUnauthorized();
  const { binding, period } = limitClasses.admin;
  const limiter = requireLimiter(env[binding], binding);
  const now = Date.now();
  const key = await clientKey(database(env), request, now);
  const until = blocked.get(key);
  if (until !== undefined && until > now) throw rateLimited(Math.ceil((until - now) / 1000));
  if (!(await spend(limiter, key, credential === "ok" ? 1 : ADMIN_FAILURE_WEIGHT))) {
    block(key, now + period * 1000, now);
    throw rateLimited(period);
  }
  if (credential === "wrong") throw adminUnauthorized();
}
