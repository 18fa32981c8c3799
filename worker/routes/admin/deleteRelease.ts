import type { IRequest } from "itty-router";
import { releasePath, releaseVersionPath } from "../../../schema";
import { HttpError } from "../../lib/error";
import { validateParams } from "../../lib/validate";
import { database } from "../../store/db";
import { deleteRelease, deleteReleaseVersion } from "../../store/updates";

/** DELETE /v1/admin/releases/:product -> 204 (the release and the product's release history), or 404 when it has neither. */
export async function deleteReleaseRoute(request: IRequest, env: Env): Promise<Response> {
  const { product } = validateParams(releasePath, request);
  if (!(await deleteRelease(database(env), product))) throw new HttpError(404, "not_found", "No such release.");
  return new Response(null, { status: 204 });
}

/**
 * DELETE /v1/admin/releases/:product/:version -> 204: that version leaves the release history
 * (and is no longer the current release, if it was); 404 when the product never had it.
 */
export async function deleteReleaseVersionRoute(request: IRequest, env: Env): Promise<Response> {
  const { product, version } = validateParams(releaseVersionPath, request);
  if (!(await deleteReleaseVersion(database(env), product, version))) {
    throw new HttpError(404, "not_found", "No such release.");
  }
  return new Response(null, { status: 204 });
}
