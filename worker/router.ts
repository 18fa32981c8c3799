import { cors, Router, type IRequest, type RequestHandler } from "itty-router";
import { HttpError } from "./http/error";
import { toErrorResponse } from "./http/respond";
import { postPing } from "./routes/ping";
import { health } from "./routes/health";
import { getInstances } from "./routes/admin/instances";
import { getInstancePings } from "./routes/admin/instancePings";
import { deleteInstance } from "./routes/admin/deleteInstance";
import { getReleases, putReleaseRoute } from "./routes/admin/releases";
import { deleteAlertRoute, getAlerts, postAlert } from "./routes/admin/alerts";

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
  ["DELETE", "/v1/admin/instances/:id", deleteInstance],
  ["GET", "/v1/admin/releases", getReleases],
  ["PUT", "/v1/admin/releases/:product", putReleaseRoute],
  ["GET", "/v1/admin/alerts", getAlerts],
  ["POST", "/v1/admin/alerts", postAlert],
  ["DELETE", "/v1/admin/alerts/:id", deleteAlertRoute],
];

/**
 * CORS for browsers: every origin may call the public routes (no credentials are used).
 * corsify rebuilds the response with its status intact (itty-router 5; tested).
 */
const { preflight, corsify } = cors({
  origin: "*",
  allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
  allowHeaders: ["content-type", "authorization", "idempotency-key", "content-encoding"],
  maxAge: 86400,
});

export const router = Router<IRequest, Args>({
  before: [preflight],
  catch: toErrorResponse,
  finally: [corsify],
});

for (const [method, path, handler] of routes) router[method.toLowerCase() as "get"](path, handler);
// A known path with another method -> 405 with Allow; anything else -> 404.
for (const path of new Set(routes.map(([, p]) => p))) {
  const allow = routes.filter(([, p]) => p === path).map(([m]) => m).join(", ");
  router.all(path, () => {
    throw new HttpError(405, "method_not_allowed", "Method not allowed on this route.", {}, { allow });
  });
}
router.all("*", () => {
  throw new HttpError(404, "not_found", "No such route.");
});
