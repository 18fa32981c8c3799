import type { IRequest } from "itty-router";
import { pageQuery } from "../../../schema";
import { HttpError } from "../../lib/error";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { decodeCursor, nextCursor } from "../../lib/cursor";
import { database } from "../../store/db";
import { getInstance } from "../../store/instances";
import { listExceptions } from "../../store/records";

/**
 * GET /v1/admin/instances/:id/exceptions?limit=&cursor= : one instance's exception reports,
 * newest first, and its groups (fingerprint, type, count, first and last seen).
 */
export async function getInstanceExceptions(request: IRequest, env: Env): Promise<Response> {
  const { limit, cursor } = validateQuery(pageQuery, request);
  const db = database(env);
  const id = request.params.id!;
  if (!(await getInstance(db, id))) throw new HttpError(404, "not_found", "No such instance.");
  const { rows, groups } = await listExceptions(db, id, limit, decodeCursor(cursor));
  return json({ exceptions: rows, groups, next: nextCursor(rows, limit, (r) => ({ t: r.receivedAt, id: r.id })) });
}
