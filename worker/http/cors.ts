import { cors } from "itty-router";
import { config, originAllowed } from "../config";

/** Browser-facing PostHog routes whose allowed origins come from ALLOWED_ORIGINS. */
const configured = /^\/(e|i\/v0\/e|batch|capture|track|flags|decide|array\/[^/]+\/config(\.js)?)\/?$/;

const options = {
  allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
  allowHeaders: ["content-type", "authorization", "idempotency-key", "content-encoding"],
  maxAge: 86400,
};
/** Every other route: any origin (no credentials are used anywhere). */
const open = cors({ origin: "*", ...options });

function pairFor(request: Request, env: Env) {
  if (!configured.test(new URL(request.url).pathname)) return open;
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
 * CORS preflight (204) for every route. itty-router 5 keeps statuses when it adds headers
 * (6.0.0 does not: tested for every status in test/worker/capture-cors.test.ts).
 */
export function preflight(request: Request, env: Env): Response | undefined {
  return pairFor(request, env).preflight(request);
}

/** Adds CORS headers; a reflected origin also gets `Vary: Origin` for caches. */
export function corsify(response: Response, request: Request, env: Env): Response {
  const out = pairFor(request, env).corsify(response, request);
  const allow = out.headers.get("access-control-allow-origin");
  if (allow && allow !== "*") out.headers.append("vary", "Origin");
  return out;
}
