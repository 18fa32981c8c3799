import type { IRequest } from "itty-router";
import { commandStatsQuery } from "../../../schema";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { commandStats } from "../../pipeline/stats/commands";
import { resolveSlice } from "../../pipeline/stats/steps";
import { config } from "../../config";
import { database } from "../../store/db";

/**
 * GET /v1/admin/stats/commands?product=&from=&to=[&result=][&version=] : FerretDB command
 * results per version (failures unless `result` names one). product defaults to FERRETDB_PRODUCT.
 * The router's admin guard has run.
 */
export async function getCommandStats(request: IRequest, env: Env): Promise<Response> {
  const q = validateQuery(commandStatsQuery, request);
  const range = resolveSlice(q, config(env).ferretdbProduct, Date.now());
  return json(await commandStats(database(env), range, { result: q.result, version: q.version }));
}
