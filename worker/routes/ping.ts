import type { IRequest } from "itty-router";
import { pingLimits } from "../../schema";
import { readJson } from "../http/body";
import { json } from "../http/respond";
import { idempotencyKey } from "../lib/headers";
import { instanceKeyHeader } from "../lib/instanceKey";
import { ingestPing } from "../pipeline/ping/run";
import { validatePing } from "../pipeline/ping/steps";
import { database } from "../store/db";
import { config } from "../config";

/**
 * POST /v1/ping and POST /ping (FlowFuse's telemetry.url): validate, then queue (INGEST_MODE=queue)
 * or store, and answer (the router damped it already).
 * `Authorization: Bearer <installation key>` is optional; 403 instance_key_mismatch when the
 * instance has a registered key and the request does not present it.
 */
export async function postPing(request: IRequest, env: Env): Promise<Response> {
  const cfg = config(env);
  const now = Date.now();
  const key = idempotencyKey(request);
  const instanceKey = instanceKeyHeader(request); // null: a keyless client (FlowFuse)
  const body = await readJson(request, pingLimits.bodyBytes);
  const valid = validatePing(body); // bad input fails before any storage access
  const db = database(env);
  const cf = (request as Request<unknown, IncomingRequestCfProperties>).cf;
  const answer = await ingestPing(
    db,
    {
      valid,
      defaultProduct: cfg.defaultProduct,
      cf,
      uuid: crypto.randomUUID(),
      now,
      idempotencyKey: key,
      instanceKey,
    },
    cfg.ingestQueued ? env.INGEST_QUEUE : null,
  );
  return json(answer);
}
