import { Router, type IRequest, type RequestHandler } from "itty-router";
import { corsify, preflight } from "./http/cors";
import { HttpError } from "./lib/error";
import { toErrorResponse } from "./http/respond";
import { postPing } from "./routes/ping";
import { health } from "./routes/health";
import { getInstances } from "./routes/admin/instances";
import { getInstancePings } from "./routes/admin/instancePings";
import { getInstanceFacts } from "./routes/admin/instanceFacts";
import { getInstanceExceptions } from "./routes/admin/instanceExceptions";
import { forgetInstance } from "./routes/forgetInstance";
import { deleteInstance } from "./routes/admin/deleteInstance";
import { getReleases } from "./routes/admin/getReleases";
import { putReleaseRoute } from "./routes/admin/putRelease";
import { getAlerts } from "./routes/admin/getAlerts";
import { postAlert } from "./routes/admin/postAlert";
import { deleteAlertRoute } from "./routes/admin/deleteAlert";
import { postCapture } from "./routes/capture";
import { getConfig } from "./routes/posthog/getConfig";
import { getConfigJs } from "./routes/posthog/getConfigJs";
import { postFlags } from "./routes/posthog/postFlags";
import { getEvents } from "./routes/admin/events";
import { getVersionStats } from "./routes/stats/versions";
import {
  getActiveStats,
  getDistributionStats,
  getExceptionStats,
  getFactStats,
  getFrontendStats,
  getPlatformStats,
} from "./routes/stats/answers";
import { exportEventsCsv, exportPingsCsv } from "./routes/stats/exports";
import { getStatsProducts } from "./routes/stats/products";

type Args = [Env, ExecutionContext];
type Method = "GET" | "POST" | "PUT" | "DELETE";
type Handler = RequestHandler<IRequest, Args>;

/** Every route, in one table: [method, path, handler]. */
const routes: Array<[Method, string, Handler]> = [
  ["GET", "/v1/health", health],
  ["POST", "/v1/ping", postPing],
  ["POST", "/ping", postPing],
  ["GET", "/v1/admin/instances", getInstances],
  ["GET", "/v1/admin/instances/:id/pings", getInstancePings],
  ["GET", "/v1/admin/instances/:id/facts", getInstanceFacts],
  ["GET", "/v1/admin/instances/:id/exceptions", getInstanceExceptions],
  ["DELETE", "/v1/instances/:instanceId", forgetInstance],
  ["DELETE", "/v1/admin/instances/:id", deleteInstance],
  ["GET", "/v1/admin/releases", getReleases],
  ["PUT", "/v1/admin/releases/:product", putReleaseRoute],
  ["GET", "/v1/admin/alerts", getAlerts],
  ["POST", "/v1/admin/alerts", postAlert],
  ["DELETE", "/v1/admin/alerts/:id", deleteAlertRoute],
  ["GET", "/v1/admin/stats/products", getStatsProducts],
  ["GET", "/v1/admin/stats/active", getActiveStats],
  ["GET", "/v1/admin/stats/versions", getVersionStats],
  ["GET", "/v1/admin/stats/distributions", getDistributionStats],
  ["GET", "/v1/admin/stats/platform", getPlatformStats],
  ["GET", "/v1/admin/stats/facts", getFactStats],
  ["GET", "/v1/admin/stats/exceptions", getExceptionStats],
  ["GET", "/v1/admin/stats/frontend", getFrontendStats],
  ["GET", "/v1/admin/export/pings.csv", exportPingsCsv],
  ["GET", "/v1/admin/export/events.csv", exportEventsCsv],
  // PostHog-compatible capture (each path also matches with a trailing slash).
  ["POST", "/e", postCapture],
  ["POST", "/i/v0/e", postCapture],
  ["POST", "/batch", postCapture],
  ["POST", "/capture", postCapture],
  ["POST", "/track", postCapture],
  ["GET", "/array/:token/config", getConfig],
  ["GET", "/array/:token/config.js", getConfigJs],
  ["POST", "/flags", postFlags],
  ["POST", "/decide", postFlags],
  ["GET", "/v1/admin/events", getEvents],
];

// CORS (http/cors.ts): any origin, except the PostHog routes which follow ALLOWED_ORIGINS.
export const router = Router<IRequest, Args>({
  before: [preflight],
  catch: toErrorResponse,
  finally: [corsify],
});

for (const [method, path, handler] of routes) router[method.toLowerCase() as "get"](path, handler);
// A known path with another method -> 405 with Allow; anything else -> 404.
for (const path of new Set(routes.map(([, p]) => p))) {
  const allow = routes
    .filter(([, p]) => p === path)
    .map(([m]) => m)
    .join(", ");
  router.all(path, () => {
    throw new HttpError(405, "method_not_allowed", "Method not allowed on this route.", {}, { allow });
  });
}
router.all("*", () => {
  throw new HttpError(404, "not_found", "No such route.");
});
