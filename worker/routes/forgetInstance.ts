import type { IRequest } from "itty-router";
import { instanceIdParam } from "../../schema";
import { HttpError } from "../lib/error";
import { instanceKeyHash, instanceKeyHeader, sameKeyHash } from "../lib/instanceKey";
import { validate } from "../lib/validate";
import { database } from "../store/db";
import { eraseInstanceIfKey, registeredKeyHash } from "../store/instances";

const refused = () =>
  new HttpError(
    403,
    "instance_key_mismatch",
    "This installation has a registered key; the request did not present it.",
  );

/**
 * DELETE /v1/instances/:instanceId : an installation asks to be forgotten (the client's
 * `forget`), proving itself with `Authorization: Bearer <installation key>`.
 * - a registered key: erased only when the request presents it (digests compared in constant
 *   time), else 403 instance_key_mismatch and nothing erased;
 * - no key registered (an installation that never sent one), or no such instance: erased by the
 *   id alone, 204 either way, so the answer does not tell whether an id exists.
 * Damped by the router (FORGET_LIMITER) before it runs.
 */
export async function forgetInstance(request: IRequest, env: Env): Promise<Response> {
  const { instanceId: id } = validate(instanceIdParam, { instanceId: request.params.instanceId });
  const key = instanceKeyHeader(request);
  const db = database(env);
  const registered = await registeredKeyHash(db, id);
  if (registered !== null && (key === null || !(await sameKeyHash(await instanceKeyHash(key), registered))))
    throw refused();
  if (!(await eraseInstanceIfKey(db, id, registered, Date.now()))) throw refused(); // a key was registered meanwhile
  return new Response(null, { status: 204 });
}
