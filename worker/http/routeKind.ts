/**
 * What a route is. The router (worker/router.ts) derives each route's edge behaviour from its
 * kind, so a new route is one table row and never repeats these checks:
 *
 * - `public`: Candor's own API for installations (pings, forget, health). CORS: any origin (`*`).
 * - `posthog`: the PostHog-compatible browser routes (capture, remote config, flags). CORS and the
 *   origin check follow `ALLOWED_ORIGINS`: a browser request from another origin is refused 401
 *   before anything is read.
 * - `admin`: `/v1/admin/*`, the maintainer's API. The admin guard (bearer token, failed attempts
 *   limited) runs before the handler; no CORS headers at all (the dashboard is same-origin), so a
 *   cross-origin preflight is refused.
 * - `protocol`: other products' native telemetry protocols (FerretDB, Firefly III, Sentry), sent
 *   by servers. CORS: any origin (`*`).
 *
 * Every route whose `kind` is `admin` lives under {@link ADMIN_PREFIX}, and nothing else does
 * (checked when the router is built and by test/worker/routeTable.test.ts).
 */
export type RouteKind = "public" | "posthog" | "admin" | "protocol";

/** Path prefix of every admin route (and only of those). */
export const ADMIN_PREFIX = "/v1/admin/";
