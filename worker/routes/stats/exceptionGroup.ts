import type { IRequest } from "itty-router";
import { exceptionGroupPath, statsQuery } from "../../../schema";
import { json } from "../../http/respond";
import { validateParams, validateQuery } from "../../lib/validate";
import { exceptionGroupStats } from "../../pipeline/stats/exceptionGroup";
import { resolveSlice } from "../../pipeline/stats/steps";
import { config } from "../../config";
import { database } from "../../store/db";

/** GET /v1/admin/stats/exceptions/:fingerprint?product=&from=&to= : one exception group (404 when unknown). */
export async function getExceptionGroup(request: IRequest, env: Env): Promise<Response> {
  const { fingerprint } = validateParams(exceptionGroupPath, request);
  const range = resolveSlice(validateQuery(statsQuery, request), config(env).defaultProduct, Date.now());
  return json(await exceptionGroupStats(database(env), range, fingerprint));
}
