import type { IRequest } from "itty-router";
import { json } from "../../http/respond";
import { database } from "../../store/db";
import { listReleases } from "../../store/updates";

/** GET /v1/admin/releases : every product's latest release. */
export async function getReleases(request: IRequest, env: Env): Promise<Response> {
  return json({ releases: await listReleases(database(env)) });
}
