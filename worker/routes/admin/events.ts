import type { IRequest } from "itty-router";
import { browserRef } from "../../../schema/wire/browserRef";
import { eventsQuery } from "../../../schema/wire/capture";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { database } from "../../store/db";
import { listEvents } from "../../store/events";
import { canonicalUuid } from "../../pipeline/events/sensitive";

/** GET /v1/admin/events?since=&event=&session=&instance=&product=&limit=&cursor= : newest first, paged. */
export async function getEvents(request: IRequest, env: Env): Promise<Response> {
  const { limit, cursor, instance, ...filter } = validateQuery(eventsQuery, request);
  // `instance` is an installation id (its browser reference is derived) or a browser reference.
  const instanceRef =
    instance === undefined ? undefined : canonicalUuid(instance) ? await browserRef(instance) : instance;
  const rows = await listEvents(database(env), { ...filter, instanceRef }, limit, decodeCursor(cursor));
  return json({ events: rows, next: nextCursor(rows, limit, (r) => ({ t: r.receivedAt, id: r.uuid })) });
}
