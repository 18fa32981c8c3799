import type { IRequest } from "itty-router";
import { alertPath } from "../../../schema";
import { HttpError } from "../../lib/error";
import { validateParams } from "../../lib/validate";
import { database } from "../../store/db";
import { deleteAlert } from "../../store/updates";

/** DELETE /v1/admin/alerts/:id -> 204, or 404 when unknown. */
export async function deleteAlertRoute(request: IRequest, env: Env): Promise<Response> {
  const { id } = validateParams(alertPath, request);
  if (!(await deleteAlert(database(env), id))) throw new HttpError(404, "not_found", "No such alert.");
  return new Response(null, { status: 204 });
}
