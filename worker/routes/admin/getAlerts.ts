import type { IRequest } from "itty-router";
import type { AlertsAnswer } from "../../../schema";
import { json } from "../../http/respond";
import { alertItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { listAlerts } from "../../store/updates";

/** GET /v1/admin/alerts : every alert, newest first. */
export async function getAlerts(request: IRequest, env: Env): Promise<Response> {
  const answer: AlertsAnswer = { items: (await listAlerts(database(env))).map(alertItem) };
  return json(answer);
}
