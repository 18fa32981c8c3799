import type { IRequest } from "itty-router";
import { eventsQuery } from "../../../schema/wire/capture";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { database } from "../../store/db";
import { listEvents } from "../../store/events";

/** GET /v1/admin/events?since=&event=&session=&instance=&product=&limit=&cursor= : newest first, paged. */
export async function getEvents(request: IRequest, env: Env): Promise<Response> {
  const { limit, cursor, ...filter } = validateQuery(eventsQuery, request);
  const rows = await listEvents(database(env), filter, limit, decodeCursor(cursor));
  return json({ events: rows, next: nextCursor(rows, limit, (r) => ({ t: r.receivedAt, id: r.uuid })) });
}
