import type { IRequest } from "itty-router";
import type { ReleasesAnswer } from "../../../schema";
import { json } from "../../http/respond";
import { releaseItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { listReleases } from "../../store/updates";

/** GET /v1/admin/releases : every product's latest release. */
export async function getReleases(request: IRequest, env: Env): Promise<Response> {
  const answer: ReleasesAnswer = { items: (await listReleases(database(env))).map(releaseItem) };
  return json(answer);
}
