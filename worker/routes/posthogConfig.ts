import type { IRequest } from "itty-router";
import { HttpError } from "../http/error";
import { json } from "../http/respond";
import { requireAllowedOrigin, tokenMap } from "../lib/captureConfig";

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

function knownToken(request: IRequest, env: Env): string {
  requireAllowedOrigin(request, env);
  const token = request.params.token ?? "";
  if (!Object.hasOwn(tokenMap(env), token)) throw new HttpError(401, "unauthorized", "Unknown project API key.");
  return token;
}

const cache = { "cache-control": "public, max-age=300" };

/** GET /array/:token/config */
export function getConfig(request: IRequest, env: Env): Response {
  knownToken(request, env);
  return json(remoteConfig, 200, cache);
}

/** GET /array/:token/config.js : the same document, as posthog-js's script form. */
export function getConfigJs(request: IRequest, env: Env): Response {
  const token = knownToken(request, env);
  const doc = JSON.stringify({ config: remoteConfig, siteApps: [] });
  const body = `(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};window._POSTHOG_REMOTE_CONFIG[${JSON.stringify(token)}]=${doc};})();`;
  return new Response(body, { headers: { "content-type": "application/javascript; charset=utf-8", ...cache } });
}

/** POST /flags/ and /decide/ : no feature flags, ever. */
export function postFlags(request: IRequest, env: Env): Response {
  requireAllowedOrigin(request, env);
  return json({ flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false });
}
