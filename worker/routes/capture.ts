import type { IRequest } from "itty-router";
import { readLimited } from "../http/body";
import { json } from "../http/respond";
import { captureLimits } from "../../schema/wire/capture";
import { config } from "../config";
import { decodeCapture } from "../pipeline/events/decode";
import { ingestEvents } from "../pipeline/events/run";
import { database } from "../store/db";

/** Token map, then the body read (<= 1 MiB) and decoded (the router has checked the origin). */
export async function readCapture(request: IRequest, env: Env) {
  const tokens = config(env).captureTokens;
  const body = await decodeCapture({
    bytes: await readLimited(request, captureLimits.bodyBytes),
    contentType: (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase(),
    contentEncoding: (request.headers.get("content-encoding") ?? "").trim().toLowerCase(),
    compression: new URL(request.url).searchParams.get("compression"),
  });
  return { body, tokens };
}

/**
 * POST /e/, /i/v0/e/, /batch/, /capture/, /track/ (PostHog capture): decode, run the pipeline,
 * answer exactly 200 (posthog-js resends anything else below 400).
 */
export async function postCapture(request: IRequest, env: Env): Promise<Response> {
  const { body, tokens } = await readCapture(request, env);
  const queue = config(env).ingestQueued ? env.INGEST_QUEUE : null;
  return json(
    await ingestEvents(
      database(env),
      { body, tokens, archive: env.ARCHIVE, now: Date.now(), keepRawEvents: config(env).eventsD1Days > 0 },
      queue,
    ),
  );
}
