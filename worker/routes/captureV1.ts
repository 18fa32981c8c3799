import type { IRequest } from "itty-router";
import { json } from "../http/respond";
import { fromCaptureV1 } from "../pipeline/events/captureV1";
import { ingestEvents } from "../pipeline/events/run";
import { database } from "../store/db";
import { config } from "../config";
import { readCapture } from "./capture";

/**
 * POST /i/v1/analytics/events (posthog-node's POSTHOG_CAPTURE_MODE=v1): the project key in
 * `Authorization: Bearer`, then the same pipeline and answer. posthog-node reads the 200 body's
 * optional `results` map only; without it every event counts as delivered.
 */
export async function postCaptureV1(request: IRequest, env: Env): Promise<Response> {
  const { body, tokens } = await readCapture(request, env);
  const v0 = fromCaptureV1(body, {
    authorization: request.headers.get("authorization"),
    sdkInfo: request.headers.get("posthog-sdk-info"),
  });
  const queue = config(env).ingestQueued ? env.INGEST_QUEUE : null;
  return json(
    await ingestEvents(
      database(env),
      { body: v0, tokens, archive: env.ARCHIVE, now: Date.now(), keepRawEvents: config(env).eventsD1Days > 0 },
      queue,
    ),
  );
}
