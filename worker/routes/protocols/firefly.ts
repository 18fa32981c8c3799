import type { IRequest } from "itty-router";
import { fireflyLimits } from "../../../schema";
import { readJson } from "../../http/body";
import { json } from "../../http/respond";
import { ingestSubmission } from "../../pipeline/firefly/run";
import { validateBatch, versionFromUserAgent } from "../../pipeline/firefly/steps";
import { database } from "../../store/db";
import { config } from "../../config";

/**
 * POST /submit (Firefly III's hard-coded https://telemetry.firefly-iii.org, through a custom
 * domain) and POST /v1/firefly/submit: store the batch, answer exactly 200 `{"uuid": ref}` (the
 * body lands in the user's log; any other 2xx leaves the rows unsent). The router damped it already.
 */
export async function postFirefly(request: IRequest, env: Env): Promise<Response> {
  const cfg = config(env);
  const now = Date.now();
  const rows = validateBatch(await readJson(request, fireflyLimits.bodyBytes)); // bad input fails before any storage access
  const db = database(env);
  const cf = (request as Request<unknown, IncomingRequestCfProperties>).cf;
  const answer = await ingestSubmission(
    db,
    {
      rows,
      product: cfg.fireflyProduct,
      version: versionFromUserAgent(request.headers.get("user-agent")),
      cf,
      now,
      newUuid: () => crypto.randomUUID(),
    },
    cfg.ingestQueued ? env.INGEST_QUEUE : null,
  );
  return json(answer);
}
