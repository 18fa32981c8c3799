import { json } from "../../http/respond";

/** POST /flags/ and /decide/ : no feature flags, ever. */
export function postFlags(): Response {
  return json({ flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false });
}
