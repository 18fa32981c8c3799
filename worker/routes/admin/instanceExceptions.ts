import type { IRequest } from "itty-router";
import { instancePath, pageQuery, type InstanceExceptionsAnswer } from "../../../schema";
import { HttpError } from "../../lib/error";
import { json } from "../../http/respond";
import { validateParams, validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { exceptionGroupItem, exceptionItem, instanceItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { getInstance } from "../../store/instances";
import { listExceptions } from "../../store/records";

/**
 * GET /v1/admin/instances/:id/exceptions?limit=&cursor= : one instance's exception reports,
 * newest first, and its groups (fingerprint, type, count, first and last seen).
 */
export async function getInstanceExceptions(request: IRequest, env: Env): Promise<Response> {
  const { id } = validateParams(instancePath, request);
  const { limit, cursor } = validateQuery(pageQuery, request);
  const db = database(env);
  const instance = await getInstance(db, id);
  if (!instance) throw new HttpError(404, "not_found", "No such instance.");
  const { rows, groups } = await listExceptions(db, id, limit, decodeCursor(cursor));
  const answer: InstanceExceptionsAnswer = {
    instance: instanceItem(instance),
    items: rows.map(exceptionItem),
    groups: groups.map(exceptionGroupItem),
    next: nextCursor(rows, limit, (r) => ({ t: r.receivedAt, id: r.id })),
  };
  return json(answer);
}
