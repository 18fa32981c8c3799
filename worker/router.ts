import { Router, type IRequest, type RequestHandler } from "itty-router";
import { corsify, preflightFor } from "./http/cors";
import { requireAllowedOrigin } from "./http/captureAuth";
import { ADMIN_PREFIX, type RouteKind } from "./http/routeKind";
import { adminGuard } from "./routes/middleware/adminGuard";
import { damping, sentryRateLimits, type LimitedHeaders, type RouteLimit } from "./routes/middleware/limits";
import { HttpError } from "./lib/error";
import { toErrorResponse } from "./http/respond";
import { postPing } from "./routes/ping";
import { health } from "./routes/health";
import { home } from "./routes/home";
import { getInstances } from "./routes/admin/instances";
import { getInstancePings } from "./routes/admin/instancePings";
import { getInstanceFacts } from "./routes/admin/instanceFacts";
import { getInstanceExceptions } from "./routes/admin/instanceExceptions";
import { forgetInstance } from "./routes/forgetInstance";
import { deleteInstance } from "./routes/admin/deleteInstance";
import { getReleases } from "./routes/admin/getReleases";
import { putReleaseRoute } from "./routes/admin/putRelease";
import { deleteReleaseRoute, deleteReleaseVersionRoute } from "./routes/admin/deleteRelease";
import { getAlerts } from "./routes/admin/getAlerts";
import { postAlert } from "./routes/admin/postAlert";
import { deleteAlertRoute } from "./routes/admin/deleteAlert";
import { postCapture } from "./routes/capture";
import { postCaptureV1 } from "./routes/captureV1";
import { getConfig } from "./routes/posthog/getConfig";
import { getConfigJs } from "./routes/posthog/getConfigJs";
import { postFlags } from "./routes/posthog/postFlags";
import { getEvents } from "./routes/admin/events";
import { getVersionStats } from "./routes/stats/versions";
import {
  getActiveStats,
  getDistributionStats,
  getEventStats,
  getExceptionStats,
  getFactStats,
  getFrontendStats,
  getPlatformStats,
  getSessionStats,
} from "./routes/stats/answers";
import { exportEventsCsv, exportPingsCsv } from "./routes/stats/exports";
import { getStatsProducts } from "./routes/stats/products";
import { getCommandStats } from "./routes/stats/commands";
import { getExceptionGroup } from "./routes/stats/exceptionGroup";
import { postFerretdb } from "./routes/protocols/ferretdb";
import { postFirefly } from "./routes/protocols/firefly";
import { getDeadLetters, replayDeadLetters } from "./routes/admin/deadLetters";
import { postSentryStore } from "./routes/protocols/sentryStore";
import { postSentryEnvelope } from "./routes/protocols/sentryEnvelope";

type Args = [Env, ExecutionContext];
type Method = "GET" | "POST" | "PUT" | "DELETE";
type Handler = RequestHandler<IRequest, Args>;

/** One route: the row of the table below. Everything at the edge is derived from `kind` (http/routeKind.ts). */
export interface Route {
  method: Method;
  /** itty-router pattern; each path also matches with a trailing slash. */
  path: string;
  kind: RouteKind;
  /**
   * Limiter class (routes/middleware/limits.ts) consulted before the handler, keyed by the
   * client's address; over its budget -> 429 with Retry-After, nothing read, nothing written.
   * Every row that accepts a body or deletes outside /v1/admin/ has one (routeTable.test.ts).
   * Admin rows have none: the admin guard limits failed authentications.
   */
  limit?: RouteLimit;
  /** Extra headers of this row's 429 (e.g. `sentryRateLimits` for Sentry's X-Sentry-Rate-Limits). */
  limited?: LimitedHeaders;
  handler: Handler;
}

/**
 * Every route, in one table (exported: test/worker/routeTable.test.ts walks it). Adding a route
 * is adding a row; the router below derives the admin guard, CORS, the origin check, damping,
 * 405 and 404 (docs/CONTRIBUTING.md, "Adding a route").
 */
export const routes: readonly Route[] = [
  // Candor's own API for installations.
  { method: "GET", path: "/v1/health", kind: "public", handler: health },
  { method: "POST", path: "/v1/ping", kind: "public", limit: "ping", handler: postPing },
  { method: "POST", path: "/ping", kind: "public", limit: "ping", handler: postPing },
  { method: "DELETE", path: "/v1/instances/:instanceId", kind: "public", limit: "forget", handler: forgetInstance },
  // PostHog-compatible browser routes (each path also matches with a trailing slash).
  { method: "POST", path: "/e", kind: "posthog", limit: "capture", handler: postCapture },
  { method: "POST", path: "/i/v0/e", kind: "posthog", limit: "capture", handler: postCapture },
  { method: "POST", path: "/batch", kind: "posthog", limit: "capture", handler: postCapture },
  { method: "POST", path: "/capture", kind: "posthog", limit: "capture", handler: postCapture },
  { method: "POST", path: "/track", kind: "posthog", limit: "capture", handler: postCapture },
  // posthog-node's Capture V1 (POSTHOG_CAPTURE_MODE=v1): key in Authorization, same pipeline.
  { method: "POST", path: "/i/v1/analytics/events", kind: "posthog", limit: "capture", handler: postCaptureV1 },
  { method: "GET", path: "/array/:token/config", kind: "posthog", limit: "posthog", handler: getConfig },
  { method: "GET", path: "/array/:token/config.js", kind: "posthog", limit: "posthog", handler: getConfigJs },
  { method: "POST", path: "/flags", kind: "posthog", limit: "posthog", handler: postFlags },
  { method: "POST", path: "/decide", kind: "posthog", limit: "posthog", handler: postFlags },
  // The maintainer's API and dashboard data (admin guard first).
  { method: "GET", path: "/v1/admin/instances", kind: "admin", handler: getInstances },
  { method: "GET", path: "/v1/admin/instances/:id/pings", kind: "admin", handler: getInstancePings },
  { method: "GET", path: "/v1/admin/instances/:id/facts", kind: "admin", handler: getInstanceFacts },
  { method: "GET", path: "/v1/admin/instances/:id/exceptions", kind: "admin", handler: getInstanceExceptions },
  { method: "DELETE", path: "/v1/admin/instances/:id", kind: "admin", handler: deleteInstance },
  { method: "GET", path: "/v1/admin/releases", kind: "admin", handler: getReleases },
  { method: "PUT", path: "/v1/admin/releases/:product", kind: "admin", handler: putReleaseRoute },
  { method: "DELETE", path: "/v1/admin/releases/:product", kind: "admin", handler: deleteReleaseRoute },
  { method: "DELETE", path: "/v1/admin/releases/:product/:version", kind: "admin", handler: deleteReleaseVersionRoute },
  { method: "GET", path: "/v1/admin/alerts", kind: "admin", handler: getAlerts },
  { method: "POST", path: "/v1/admin/alerts", kind: "admin", handler: postAlert },
  { method: "DELETE", path: "/v1/admin/alerts/:id", kind: "admin", handler: deleteAlertRoute },
  { method: "GET", path: "/v1/admin/stats/products", kind: "admin", handler: getStatsProducts },
  { method: "GET", path: "/v1/admin/stats/active", kind: "admin", handler: getActiveStats },
  { method: "GET", path: "/v1/admin/stats/versions", kind: "admin", handler: getVersionStats },
  { method: "GET", path: "/v1/admin/stats/distributions", kind: "admin", handler: getDistributionStats },
  { method: "GET", path: "/v1/admin/stats/platform", kind: "admin", handler: getPlatformStats },
  { method: "GET", path: "/v1/admin/stats/facts", kind: "admin", handler: getFactStats },
  { method: "GET", path: "/v1/admin/stats/exceptions", kind: "admin", handler: getExceptionStats },
  { method: "GET", path: "/v1/admin/stats/exceptions/:fingerprint", kind: "admin", handler: getExceptionGroup },
  { method: "GET", path: "/v1/admin/stats/frontend", kind: "admin", handler: getFrontendStats },
  { method: "GET", path: "/v1/admin/stats/events", kind: "admin", handler: getEventStats },
  { method: "GET", path: "/v1/admin/stats/commands", kind: "admin", handler: getCommandStats },
  { method: "GET", path: "/v1/admin/stats/sessions", kind: "admin", handler: getSessionStats },
  { method: "GET", path: "/v1/admin/export/pings.csv", kind: "admin", handler: exportPingsCsv },
  { method: "GET", path: "/v1/admin/export/events.csv", kind: "admin", handler: exportEventsCsv },
  { method: "GET", path: "/v1/admin/events", kind: "admin", handler: getEvents },
  { method: "GET", path: "/v1/admin/dead-letters", kind: "admin", handler: getDeadLetters },
  { method: "POST", path: "/v1/admin/dead-letters/replay", kind: "admin", handler: replayDeadLetters },
  // Other products' own telemetry protocols, for unchanged clients: FerretDB's beacon at the root
  // (its embedded library posts to a hard-coded https://beacon.ferretdb.com/) and under a
  // prefix for --dev-telemetry-url; Firefly III's hard-coded /submit, and under a prefix.
  { method: "POST", path: "/", kind: "protocol", limit: "protocol", handler: postFerretdb },
  // GET / : the page a person opening the worker's address sees (routes/home.ts). Kind
  // "protocol" because one path has one kind (so damped like every protocol row); CORS: any origin.
  { method: "GET", path: "/", kind: "protocol", limit: "protocol", handler: home },
  { method: "POST", path: "/v1/ferretdb", kind: "protocol", limit: "protocol", handler: postFerretdb },
  { method: "POST", path: "/submit", kind: "protocol", limit: "protocol", handler: postFirefly },
  { method: "POST", path: "/v1/firefly/submit", kind: "protocol", limit: "protocol", handler: postFirefly },
  // Sentry SDKs (sentry-python, @sentry/node): they read X-Sentry-Rate-Limits on a 429.
  {
    method: "POST",
    path: "/api/:projectId/store",
    kind: "protocol",
    limit: "protocol",
    limited: sentryRateLimits,
    handler: postSentryStore,
  },
  {
    method: "POST",
    path: "/api/:projectId/envelope",
    kind: "protocol",
    limit: "protocol",
    limited: sentryRateLimits,
    handler: postSentryEnvelope,
  },
];

/** The kind of every registered pattern (itty-router sets `request.route` to the matched one). */
const kinds = new Map<string, RouteKind>([
  [`${ADMIN_PREFIX}*`, "admin"],
  ["*", "public"],
]);
for (const r of routes) {
  if ((r.kind === "admin") !== r.path.startsWith(ADMIN_PREFIX)) {
    throw new Error(`route ${r.method} ${r.path}: kind admin <=> path under ${ADMIN_PREFIX}`);
  }
  const known = kinds.get(r.path);
  if (known && known !== r.kind) throw new Error(`route ${r.path}: one path, one kind`);
  kinds.set(r.path, r.kind);
}

/** CORS of the matched route's kind, on every answer (errors and 404s included, statuses unchanged). */
function finish(response: Response, request: IRequest, env: Env): Response {
  return corsify(kinds.get(request.route) ?? "public", response, request, env);
}

export const router = Router<IRequest, Args>({ catch: toErrorResponse, finally: [finish] });

// 1. The admin guard, once, before every admin route (and before 404/405 under the prefix).
router.all(`${ADMIN_PREFIX}*`, adminGuard);
// 2. The table. Before each handler: the PostHog origin check (a browser origin outside
//    ALLOWED_ORIGINS is refused before anything is read), then the row's limiter.
for (const { method, path, kind, limit, limited, handler } of routes) {
  const before: Handler[] = [];
  if (kind === "posthog") before.push(requireAllowedOrigin);
  if (limit) before.push(damping(limit, limited));
  router[method.toLowerCase() as "get"](path, ...before, handler);
}
// 3. Per path: CORS preflight (not for admin routes, whose OPTIONS the guard refuses); another
//    method -> 405 with Allow.
for (const path of new Set(routes.map((r) => r.path))) {
  const kind = kinds.get(path)!;
  if (kind !== "admin") router.options(path, preflightFor(kind));
  const allow = routes
    .filter((r) => r.path === path)
    .map((r) => r.method)
    .join(", ");
  router.all(path, () => {
    throw new HttpError(405, "method_not_allowed", "Method not allowed on this route.", {}, { allow });
  });
}
// 4. Anything else -> 404 (a preflight for an unknown public path still gets its 204).
router.options("*", preflightFor("public"));
router.all("*", () => {
  throw new HttpError(404, "not_found", "No such route.");
});
