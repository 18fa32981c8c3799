import type { IRequest } from "itty-router";
import { instancePath, pageQuery, type InstanceFactsAnswer } from "../../../schema";
import { HttpError } from "../../lib/error";
import { json } from "../../http/respond";
import { validateParams, validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { factItem, instanceItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { getInstance } from "../../store/instances";
import { listFacts } from "../../store/records";

/** GET /v1/admin/instances/:id/facts?limit=&cursor= : one instance's fact records, newest first. */
export async function getInstanceFacts(request: IRequest, env: Env): Promise<Response> {
  const { id } = validateParams(instancePath, request);
  const { limit, cursor } = validateQuery(pageQuery, request);
  const db = database(env);
  const instance = await getInstance(db, id);
  if (!instance) throw new HttpError(404, "not_found", "No such instance.");
  const rows = await listFacts(db, id, limit, decodeCursor(cursor));
  const answer: InstanceFactsAnswer = {
    instance: instanceItem(instance),
    items: rows.map(factItem),
    next: nextCursor(rows, limit, (r) => ({ t: r.receivedAt, id: r.id })),
  };
  return json(answer);
}
