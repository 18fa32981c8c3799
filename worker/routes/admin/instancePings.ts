import type { IRequest } from "itty-router";
import { instancePath, pageQuery, type InstancePingsAnswer } from "../../../schema";
import { HttpError } from "../../lib/error";
import { json } from "../../http/respond";
import { validateParams, validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { instanceItem, pingItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { getInstance } from "../../store/instances";
import { listPings } from "../../store/pings";

/** GET /v1/admin/instances/:id/pings?limit=&cursor= : one instance's pings, newest first. */
export async function getInstancePings(request: IRequest, env: Env): Promise<Response> {
  const { id } = validateParams(instancePath, request);
  const { limit, cursor } = validateQuery(pageQuery, request);
  const db = database(env);
  const instance = await getInstance(db, id);
  if (!instance) throw new HttpError(404, "not_found", "No such instance.");
  const rows = await listPings(db, id, limit, decodeCursor(cursor));
  const answer: InstancePingsAnswer = {
    instance: instanceItem(instance),
    items: rows.map(pingItem),
    next: nextCursor(rows, limit, (r) => ({ t: r.receivedAt, id: r.uuid })),
  };
  return json(answer);
}
