import type { IRequest } from "itty-router";
import { HttpError } from "../../lib/error";
import { database } from "../../store/db";
import { deleteAlert } from "../../store/updates";

/** DELETE /v1/admin/alerts/:id -> 204, or 404 when unknown. */
export async function deleteAlertRoute(request: IRequest, env: Env): Promise<Response> {
  if (!(await deleteAlert(database(env), request.params.id!))) throw new HttpError(404, "not_found", "No such alert.");
  return new Response(null, { status: 204 });
}
