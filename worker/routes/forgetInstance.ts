import type { IRequest } from "itty-router";
import { instanceIdParam } from "../../schema";
import { validate } from "../lib/validate";
import { ipKey } from "../pipeline/abuse/clientKey";
import { damp } from "../lib/rateLimit";
import { database } from "../store/db";
import { eraseInstance } from "../store/instances";

/**
 * DELETE /v1/instances/:instanceId : an installation asks to be forgotten (the client's
 * `forget`). The random id is the capability, so the answer is 204 whether or not it existed:
 * it tells a caller nothing about other ids. Rate-limited like pings.
 */
export async function forgetInstance(request: IRequest, env: Env): Promise<Response> {
  const { instanceId: id } = validate(instanceIdParam, { instanceId: request.params.instanceId });
  const db = database(env);
  await damp(env.PING_LIMITER, await ipKey(db, request, Date.now()));
  await eraseInstance(db, id);
  return new Response(null, { status: 204 });
}
