import type { IRequest } from "itty-router";
import { statsQuery } from "../../../schema";
import { requireAdmin } from "../../http/auth";
import { json } from "../../http/respond";
import { validateQuery } from "../../http/validate";
import { resolveSlice } from "../../pipeline/stats/steps";
import { database, type Db } from "../../store/db";
import type { Slice } from "../../store/stats";

export type Range = Slice & { days: string[] };

/** A GET /v1/admin/stats/* handler: admin token, ?product=&from=&to= validated, JSON answer. */
export function statsRoute(answer: (db: Db, range: Range) => Promise<unknown>) {
  return async (request: IRequest, env: Env): Promise<Response> => {
    await requireAdmin(request, env);
    const range = resolveSlice(validateQuery(statsQuery, request), env.DEFAULT_PRODUCT, Date.now());
    return json(await answer(database(env), range));
  };
}
