import type { IRequest } from "itty-router";
import { ferretdbLimits } from "../../../schema";
import { readLimited, requireJsonOrText } from "../../http/body";
import { json } from "../../http/respond";
import { ingestBeacon } from "../../pipeline/ferretdb/run";
import { parseReport, validateReport } from "../../pipeline/ferretdb/steps";
import { database } from "../../store/db";
import { config } from "../../config";

/**
 * POST / (FerretDB's hard-coded https://beacon.ferretdb.com/, through a custom domain) and
 * POST /v1/ferretdb (its --dev-telemetry-url): store the report, answer 201 with the update
 * notice. FerretDB treats any other success status as a failure. The router damped it already.
 */
export async function postFerretdb(request: IRequest, env: Env): Promise<Response> {
  const cfg = config(env);
  const now = Date.now();
  requireJsonOrText(request);
  const bytes = await readLimited(request, ferretdbLimits.bodyBytes);
  const valid = validateReport(parseReport(bytes)); // bad input fails before any storage access
  const db = database(env);
  const cf = (request as Request<unknown, IncomingRequestCfProperties>).cf;
  const answer = await ingestBeacon(
    db,
    {
      valid,
      bytes,
      product: cfg.ferretdbProduct,
      cf,
      uuid: crypto.randomUUID(),
      now,
    },
    cfg.ingestQueued ? env.INGEST_QUEUE : null,
  );
  return json(answer, 201);
}
