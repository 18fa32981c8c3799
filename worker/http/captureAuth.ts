import type { IRequest } from "itty-router";
import { config, originAllowed } from "../config";
import { tokenPath } from "../../schema/wire/capture";
import { HttpError } from "../lib/error";
import { validateParams } from "../lib/validate";

/**
 * Browser requests from an origin that is not allowed are refused (401) before anything is read:
 * CORS alone would hide the answer but still let a simple POST store events.
 * Requests without an Origin header (servers, posthog-node) pass. The router runs this before
 * every route of kind `posthog` (worker/router.ts), so no handler calls it. The 401 names that origin in
 * `Access-Control-Allow-Origin` so the browser lets posthog-js read the status (a 4xx is not
 * retried; an unreadable answer is status 0, which posthog-js retries up to 10 times).
 */
export function requireAllowedOrigin(request: Request, env: Env): void {
  const origin = request.headers.get("origin");
  if (origin !== null && !originAllowed(config(env), origin)) {
    throw new HttpError(401, "unauthorized", "Origin not allowed.", {}, { "access-control-allow-origin": origin });
  }
}

/**
 * The path's project token (/array/:token/...): malformed -> 400 invalid_field at `$.token`; it
 * must be configured (else 401). The router has already checked the origin (kind `posthog`).
 */
export function knownToken(request: IRequest, env: Env): string {
  const { token } = validateParams(tokenPath, request);
  if (!Object.hasOwn(config(env).captureTokens, token))
    throw new HttpError(401, "unauthorized", "Unknown project API key.");
  return token;
}
