import type { IRequest } from "itty-router";
import { adminLimits, releasePath, releaseRequest, type ReleaseAnswer } from "../../../schema";
import { readJson } from "../../http/body";
import { HttpError } from "../../lib/error";
import { json } from "../../http/respond";
import { validate, validateParams } from "../../lib/validate";
import { parseVersion } from "../../lib/version";
import { releaseItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { putRelease } from "../../store/updates";

/** PUT /v1/admin/releases/:product {version, info?, url?} : sets the product's latest release. */
export async function putReleaseRoute(request: IRequest, env: Env): Promise<Response> {
  const { product } = validateParams(releasePath, request);
  const body = validate(releaseRequest, await readJson(request, adminLimits.bodyBytes));
  if (!parseVersion(body.version)) {
    throw new HttpError(400, "invalid_field", "$.version: not a semantic version", { path: "$.version" });
  }
  const saved = await putRelease(database(env), {
    product,
    version: body.version,
    info: body.info ?? null,
    url: body.url ?? null,
    updatedAt: Date.now(),
  });
  const answer: ReleaseAnswer = { release: releaseItem(saved) };
  return json(answer);
}
