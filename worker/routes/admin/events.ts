import type { IRequest } from "itty-router";
import { eventsQuery, type EventsAnswer } from "../../../schema";
import { browserRef } from "../../../schema/wire/browserRef";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { eventItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { listEvents } from "../../store/events";
import { canonicalUuid } from "../../pipeline/events/sensitive";
import { config } from "../../config";
import { HttpError } from "../../lib/error";

/** GET /v1/admin/events?since=&event=&session=&instance=&product=&limit=&cursor= : newest first, paged. */
export async function getEvents(request: IRequest, env: Env): Promise<Response> {
  // EVENTS_D1_DAYS = 0: no raw event is ever in D1, so an empty list would read as "none captured".
  if (config(env).eventsD1Days === 0)
    throw new HttpError(
      404,
      "events_not_kept",
      "Raw events are not kept in D1 (EVENTS_D1_DAYS = 0); GET /v1/admin/export/events.csv streams them from the archive.",
    );
  const { limit, cursor, instance, ...filter } = validateQuery(eventsQuery, request);
  // `instance` is an installation id (its browser reference is derived) or a browser reference.
  const instanceRef =
    instance === undefined ? undefined : canonicalUuid(instance) ? await browserRef(instance) : instance;
  const rows = await listEvents(database(env), { ...filter, instanceRef }, limit, decodeCursor(cursor));
  const answer: EventsAnswer = {
    items: rows.map(eventItem),
    next: nextCursor(rows, limit, (r) => ({ t: r.receivedAt, id: r.uuid })),
  };
  return json(answer);
}
