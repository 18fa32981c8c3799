import type { IRequest } from "itty-router";
import { requireAdmin } from "../../http/auth";
import { json } from "../../http/respond";
import { database } from "../../store/db";
import { listAlerts } from "../../store/updates";

/** GET /v1/admin/alerts : every alert, newest first. */
export async function getAlerts(request: IRequest, env: Env): Promise<Response> {
  await requireAdmin(request, env);
  return json({ alerts: await listAlerts(database(env)) });
}
