import type { IRequest } from "itty-router";
import { json } from "../../http/respond";
import { database } from "../../store/db";
import { listAlerts } from "../../store/updates";

/** GET /v1/admin/alerts : every alert, newest first. */
export async function getAlerts(request: IRequest, env: Env): Promise<Response> {
  return json({ alerts: await listAlerts(database(env)) });
}
