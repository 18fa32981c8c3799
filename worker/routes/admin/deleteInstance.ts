import type { IRequest } from "itty-router";
import { instancePath } from "../../../schema";
import { HttpError } from "../../lib/error";
import { validateParams } from "../../lib/validate";
import { database } from "../../store/db";
import { eraseInstance } from "../../store/instances";

/** DELETE /v1/admin/instances/:id : erases the instance and every row referencing it. 204 / 404. */
export async function deleteInstance(request: IRequest, env: Env): Promise<Response> {
  const { id } = validateParams(instancePath, request);
  const existed = await eraseInstance(database(env), id, Date.now());
  if (!existed) throw new HttpError(404, "not_found", "No such instance.");
  return new Response(null, { status: 204 });
}
