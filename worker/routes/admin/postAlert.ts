import type { IRequest } from "itty-router";
import { adminLimits, alertRequest, type AlertAnswer } from "../../../schema";
import { readJson } from "../../http/body";
import { HttpError } from "../../lib/error";
import { json } from "../../http/respond";
import { validate } from "../../lib/validate";
import { isValidRange } from "../../lib/version";
import { alertItem } from "../../pipeline/admin/items";
import { database } from "../../store/db";
import { createAlert } from "../../store/updates";

/** POST /v1/admin/alerts {product, affects, level, message, url?} -> 201 {alert}. */
export async function postAlert(request: IRequest, env: Env): Promise<Response> {
  const body = validate(alertRequest, await readJson(request, adminLimits.bodyBytes));
  if (!isValidRange(body.affects)) {
    throw new HttpError(400, "invalid_field", "$.affects: not a semver range", { path: "$.affects" });
  }
  const alert = await createAlert(database(env), {
    id: crypto.randomUUID(),
    ...body,
    url: body.url ?? null,
    createdAt: Date.now(),
  });
  const answer: AlertAnswer = { alert: alertItem(alert) };
  return json(answer, 201);
}
