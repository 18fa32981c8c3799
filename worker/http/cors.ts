import { cors } from "itty-router";
import { config, originAllowed } from "../config";
import type { RouteKind } from "./routeKind";

const options = {
  allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
  allowHeaders: ["content-type", "idempotency-key", "content-encoding"],
  maxAge: 86400,
};
/** public and protocol routes: any origin (no credentials are used anywhere). */
const open = cors({ origin: "*", ...options });

type Pair = ReturnType<typeof cors>;

/** The CORS policy of a route kind; null for admin routes (same-origin dashboard: no CORS at all). */
function policyFor(kind: RouteKind, env: Env): Pair | null {
  if (kind === "admin") return null;
  if (kind !== "posthog") return open;
  let cfg;
  try {
    cfg = config(env);
  } catch {
    return open; // the route answers 503 not_configured either way; let the browser read it
  }
  const allowed = cfg;
  return cors({ origin: (origin: string) => (originAllowed(allowed, origin) ? origin : undefined), ...options });
}

/**
 * The CORS preflight (204) of a route of `kind`. itty-router 5 keeps statuses when it adds
 * headers (6.0.0 does not: tested for every status in test/worker/capture-cors.test.ts).
 * Admin routes have no preflight: their OPTIONS goes through the admin guard (401, no CORS).
 */
export function preflightFor(kind: Exclude<RouteKind, "admin">) {
  return (request: Request, env: Env): Response | undefined => policyFor(kind, env)?.preflight(request);
}

/**
 * Adds the CORS headers of `kind` to an answer (none for admin); a reflected origin also gets
 * `Vary: Origin` for caches. An answer that already names an origin (the posthog 401 for a refused
 * origin) is left as it is.
 */
export function corsify(kind: RouteKind, response: Response, request: Request, env: Env): Response {
  const policy = policyFor(kind, env);
  if (!policy) return response;
  const out = policy.corsify(response, request);
  const allow = out.headers.get("access-control-allow-origin");
  if (allow && allow !== "*") out.headers.append("vary", "Origin");
  return out;
}
