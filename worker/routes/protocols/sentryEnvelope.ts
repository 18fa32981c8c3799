import type { IRequest } from "itty-router";
import { json } from "../../http/respond";
import { ingestEnvelope } from "../../pipeline/sentry/run";
import { database } from "../../store/db";
import { sentryRequest } from "./sentryRequest";

/**
 * POST /api/:projectId/envelope/ (@sentry/node: everything; sentry-python: sessions, client
 * reports, and events when tracing is on). Answers 200 {"id": "<event_id>" | null}.
 */
export async function postSentryEnvelope(request: IRequest, env: Env): Promise<Response> {
  const { bytes, input, queue } = await sentryRequest(request, env);
  return json(await ingestEnvelope(database(env), bytes, input, queue));
}
