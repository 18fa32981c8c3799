import type { IRequest } from "itty-router";
import { pageQuery } from "../../../schema";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { database } from "../../store/db";
import { listInstances } from "../../store/instances";

/** GET /v1/admin/instances?limit=&cursor= : instances, most recently seen first. */
export async function getInstances(request: IRequest, env: Env): Promise<Response> {
  const { limit, cursor } = validateQuery(pageQuery, request);
  const rows = await listInstances(database(env), limit, decodeCursor(cursor));
  return json({ instances: rows, next: nextCursor(rows, limit, (r) => ({ t: r.lastSeen, id: r.id })) });
}
