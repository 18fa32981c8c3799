import type { IRequest } from "itty-router";
import { releasePath } from "../../../schema";
import { HttpError } from "../../lib/error";
import { validateParams } from "../../lib/validate";
import { database } from "../../store/db";
import { deleteRelease } from "../../store/updates";

/** DELETE /v1/admin/releases/:product -> 204, or 404 when the product has no release. */
export async function deleteReleaseRoute(request: IRequest, env: Env): Promise<Response> {
  const { product } = validateParams(releasePath, request);
  if (!(await deleteRelease(database(env), product))) throw new HttpError(404, "not_found", "No such release.");
  return new Response(null, { status: 204 });
}
