import type { IRequest } from "itty-router";
import { json } from "../../http/respond";
import { requireAllowedOrigin } from "../../http/captureAuth";

/** POST /flags/ and /decide/ : no feature flags, ever. */
export function postFlags(request: IRequest, env: Env): Response {
  requireAllowedOrigin(request, env);
  return json({ flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false });
}
