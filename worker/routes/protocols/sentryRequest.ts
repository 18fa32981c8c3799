import type { IRequest } from "itty-router";
import { sentryLimits, sentryProjectParam } from "../../../schema";
import { config } from "../../config";
import { readDecoded } from "../../http/body";
import { HttpError } from "../../lib/error";
import { validate } from "../../lib/validate";
import { productOf, sentryKeyOf } from "../../pipeline/sentry/auth";
import type { SentryInput } from "../../pipeline/sentry/run";
import type { IngestMessage } from "../../pipeline/queue/message";

/** Content types the SDKs send: none (@sentry/node), JSON (store), the envelope type, text (browser SDKs). */
const TYPES = new Set([
  "",
  "application/json",
  "application/x-sentry-envelope",
  "text/plain",
  "application/octet-stream",
]);

/**
 * The common front of both Sentry routes: the project id must be digits (else 400 invalid_field
 * at `$.projectId`); authenticate (project + sentry_key -> product, 401 before the body is read), check the content type, then read the body through the bounded
 * reader and bounded gunzip (chunked bodies without Content-Length included); the ingestion queue
 * when INGEST_MODE is "queue", else null (write directly).
 */
export async function sentryRequest(
  request: IRequest,
  env: Env,
): Promise<{ bytes: Uint8Array; input: SentryInput; queue: Queue<IngestMessage> | null }> {
  const { projectId } = validate(sentryProjectParam, { projectId: request.params.projectId }); // digits, else 400
  const cfg = config(env);
  const url = new URL(request.url);
  const key = sentryKeyOf(
    request.headers.get("x-sentry-auth") ?? request.headers.get("authorization"),
    url.searchParams,
  );
  const product = productOf(cfg.sentryProjects, projectId, key);
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!TYPES.has(type)) throw new HttpError(415, "unsupported_media_type", "Send a Sentry envelope or JSON event.");
  const bytes = await readDecoded(request, sentryLimits);
  const listed = cfg.sentryMessageFacts[product] ?? [];
  const queue = cfg.ingestQueued ? env.INGEST_QUEUE : null; // INGEST_MODE=queue
  return { bytes, input: { product, listed, now: Date.now() }, queue };
}
