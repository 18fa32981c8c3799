import type { IRequest } from "itty-router";
import { instanceIdParam } from "../../schema";
import { validate } from "../lib/validate";
import { database } from "../store/db";
import { eraseInstance } from "../store/instances";

/**
 * DELETE /v1/instances/:instanceId : an installation asks to be forgotten (the client's
 * `forget`). The random id is the capability, so the answer is 204 whether or not it existed:
 * it tells a caller nothing about other ids. Damped by the router (FORGET_LIMITER) before it runs.
 */
export async function forgetInstance(request: IRequest, env: Env): Promise<Response> {
  const { instanceId: id } = validate(instanceIdParam, { instanceId: request.params.instanceId });
  await eraseInstance(database(env), id);
  return new Response(null, { status: 204 });
}
