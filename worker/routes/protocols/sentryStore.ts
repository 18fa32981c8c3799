import type { IRequest } from "itty-router";
import { sentryEvent } from "../../../schema";
import { json } from "../../http/respond";
import { parseJson } from "../../lib/json";
import { validate } from "../../lib/validate";
import { ingestStore } from "../../pipeline/sentry/run";
import { database } from "../../store/db";
import { sentryRequest } from "./sentryRequest";

/**
 * POST /api/:projectId/store/ (sentry-python 1.x errors and messages): one JSON event, always
 * gzip from sentry-python. Answers 200 {"id": "<event_id>"} (the SDKs read only the status).
 */
export async function postSentryStore(request: IRequest, env: Env): Promise<Response> {
  const { bytes, input, queue } = await sentryRequest(request, env);
  const event = validate(sentryEvent, parseJson(bytes));
  return json(await ingestStore(database(env), bytes, event, input, queue));
}
