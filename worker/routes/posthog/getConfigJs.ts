import type { IRequest } from "itty-router";
import { knownToken } from "../../http/captureAuth";
import { configCache, remoteConfig } from "../../lib/remoteConfig";

/** GET /array/:token/config.js : the same document, as posthog-js's script form. */
export function getConfigJs(request: IRequest, env: Env): Response {
  const token = knownToken(request, env);
  const doc = JSON.stringify({ config: remoteConfig, siteApps: [] });
  const body = `(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};window._POSTHOG_REMOTE_CONFIG[${JSON.stringify(token)}]=${doc};})();`;
  return new Response(body, { headers: { "content-type": "application/javascript; charset=utf-8", ...configCache } });
}
