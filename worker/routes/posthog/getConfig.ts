import type { IRequest } from "itty-router";
import { json } from "../../http/respond";
import { knownToken } from "../../http/captureAuth";
import { configCache, remoteConfig } from "../../lib/remoteConfig";

/** GET /array/:token/config : posthog-js's remote config, everything off. */
export function getConfig(request: IRequest, env: Env): Response {
  knownToken(request, env);
  return json(remoteConfig, 200, configCache);
}
