import type { IRequest } from "itty-router";
import { instancesQuery, type InstancesAnswer } from "../../../schema";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { instanceItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { listInstances } from "../../store/instances";

/** GET /v1/admin/instances?product=&version=&license_type=&country=&q=&limit=&cursor= : instances, most recently seen first. */
export async function getInstances(request: IRequest, env: Env): Promise<Response> {
  const { limit, cursor, product, version, license_type, country, q } = validateQuery(instancesQuery, request);
  const rows = await listInstances(database(env), limit, decodeCursor(cursor), {
    product,
    version,
    licenseType: license_type,
    country,
    q,
  });
  const answer: InstancesAnswer = {
    items: rows.map(instanceItem),
    next: nextCursor(rows, limit, (r) => ({ t: r.lastSeen, id: r.id })),
  };
  return json(answer);
}
