import type { IRequest } from "itty-router";
import { HttpError } from "./error";
import { requireAllowedOrigin, tokenMap } from "./captureConfig";

/**
 * The remote config a stock posthog-js fetches on init. `supportedCompression` keeps it on gzip
 * (no preflighted JSON); `surveys` is left out on purpose (even `false` makes posthog-js
 * download surveys.js). Everything else says "off".
 */
export const remoteConfig = {
  supportedCompression: ["gzip", "gzip-js"],
  hasFeatureFlags: false,
  autocapture_opt_out: true,
  capturePerformance: false,
  heatmaps: false,
  sessionRecording: false,
  siteApps: [],
};

/** Cache header of the config documents (posthog-js refetches them on every page load). */
export const configCache = { "cache-control": "public, max-age=300" };

/** The path's project token, which must be configured (else 401); the browser origin must be allowed. */
export function knownToken(request: IRequest, env: Env): string {
  requireAllowedOrigin(request, env);
  const token = request.params.token ?? "";
  if (!Object.hasOwn(tokenMap(env), token)) throw new HttpError(401, "unauthorized", "Unknown project API key.");
  return token;
}
