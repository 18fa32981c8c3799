import type { IRequest } from "itty-router";
import { versionsQuery } from "../../../schema";
import { HttpError } from "../../lib/error";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { versionStats } from "../../pipeline/stats/run";
import { resolveSlice } from "../../pipeline/stats/steps";
import { config } from "../../config";
import { database } from "../../store/db";

/**
 * GET /v1/admin/stats/versions?product=&from=&to=[&source=raw] : installations per version per
 * day and the share on the latest release. source=raw recomputes it from raw pings (bench:stats);
 * only when STATS_RAW_COMPARE = "true", otherwise 400 invalid_query at $.source.
 */
export async function getVersionStats(request: IRequest, env: Env): Promise<Response> {
  const q = validateQuery(versionsQuery, request);
  if (q.source === "raw" && !config(env).statsRawCompare) {
    throw new HttpError(400, "invalid_query", "$.source: source=raw is disabled (STATS_RAW_COMPARE)", {
      path: "$.source",
    });
  }
  return json(await versionStats(database(env), resolveSlice(q, config(env).defaultProduct, Date.now()), q.source));
}
