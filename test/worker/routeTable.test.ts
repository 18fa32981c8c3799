import { describe, expect, it } from "vitest";
import { routes } from "../../worker/router";
import { env } from "cloudflare:workers";
import { ADMIN_PREFIX } from "../../worker/http/routeKind";
import { corsify } from "../../worker/http/cors";
import { limitClasses } from "../../worker/routes/middleware/limits";
import configurationDoc from "../../docs/configuration.md?raw";
import wranglerToml from "../../wrangler.toml?raw";
import { ADMIN, call, captureBody } from "./helpers";

const ORIGIN = "https://console.example.com";
const admins = routes.filter((r) => r.kind === "admin");

/** A concrete URL for a route pattern: every `:param` gets a value no row exists for. */
function concrete(path: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) =>
    name === "product" ? "route-walk" : "00000000-0000-4000-8000-00000000beef",
  );
}

/** One admin request from a fresh client address (the helpers give each call its own). */
function send(method: string, path: string, headers: Record<string, string>): Promise<Response> {
  const body = method === "POST" || method === "PUT" ? "{}" : undefined;
  return call(concrete(path), {
    method,
    body,
    headers: { origin: ORIGIN, "content-type": "application/json", ...headers },
  });
}

describe("the route table", () => {
  it("has the 29 admin routes, all under /v1/admin/, and no other route there", () => {
    expect(admins.length).toBe(29);
    for (const r of routes) expect(r.path.startsWith(ADMIN_PREFIX), `${r.method} ${r.path}`).toBe(r.kind === "admin");
  });

  it("damps every route outside /v1/admin/ that takes a body or deletes, and every posthog/protocol route", () => {
    for (const r of routes) {
      const writes = r.method !== "GET";
      const needs = r.kind === "posthog" || r.kind === "protocol" || (r.kind !== "admin" && writes);
      if (needs) expect(r.limit, `${r.method} ${r.path}`).toBeDefined();
      if (r.kind === "admin") expect(r.limit, `${r.method} ${r.path}`).toBeUndefined();
    }
  });

  it("each limiter class has its own [[ratelimits]] binding in wrangler.toml with the same period, documented in docs/configuration.md", () => {
    const blocks = [
      ...wranglerToml.matchAll(
        /\[\[ratelimits\]\]\s*name = "(\w+)"\s*namespace_id = "(\d+)"\s*simple = \{ limit = (\d+), period = (\d+) \}/g,
      ),
    ];
    const toml = new Map(blocks.map((m) => [m[1]!, { ns: m[2]!, period: Number(m[4]) }]));
    const classes = Object.values(limitClasses);
    expect([...toml.keys()].sort()).toEqual(classes.map((c) => c.binding).sort());
    expect(new Set([...toml.values()].map((v) => v.ns)).size).toBe(toml.size);
    for (const c of classes) {
      expect(toml.get(c.binding)?.period, c.binding).toBe(c.period);
      expect(configurationDoc, c.binding).toMatch(
        new RegExp(`^\\| \`${c.binding}\` \\| rate limiting binding \\|`, "m"),
      );
      expect(env[c.binding], c.binding).toBeDefined(); // the simulated binding exists
    }
  });

  it("has one row per method and path", () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe.each(admins.map((r) => [`${r.method} ${r.path}`, r] as const))("admin route %s", (_name, r) => {
  it("without a token: 401 unauthorized, no CORS headers, nosniff", async () => {
    const res = await send(r.method, r.path, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("with a wrong token: 401", async () => {
    for (const authorization of ["Bearer wrong-admin-token", "Bearer test-admin-token-x", "Basic dGVzdA=="]) {
      const res = await send(r.method, r.path, { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      await res.body?.cancel();
    }
  });

  it("with the token: not 401, and still no CORS headers", async () => {
    const res = await send(r.method, r.path, ADMIN);
    expect(res.status).not.toBe(401);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    await res.body?.cancel();
  });

  it("a cross-origin preflight is refused: no allow-origin, not 2xx", async () => {
    const res = await call(concrete(r.path), {
      method: "OPTIONS",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": r.method,
        "access-control-request-headers": "authorization",
      },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-headers")).toBeNull();
  });
});

describe("unknown paths under /v1/admin/ are guarded too", () => {
  it("401 without the token, 404 with it; 405 for another method only with it", async () => {
    expect((await call("/v1/admin/nope")).status).toBe(401);
    expect((await call("/v1/admin/nope", { headers: ADMIN })).status).toBe(404);
    expect((await call("/v1/admin/alerts", { method: "PATCH" })).status).toBe(401);
    expect((await call("/v1/admin/alerts", { method: "PATCH", headers: ADMIN })).status).toBe(405);
  });
});

describe("CORS per kind", () => {
  const origin = "https://console.example.com";
  it("public: any origin", async () => {
    const res = await call("/v1/health", { headers: { origin } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("posthog: the origin, reflected with Vary (ALLOWED_ORIGINS; capture-cors.test.ts restricts it)", async () => {
    const res = await call("/e/", { method: "POST", body: captureBody(), headers: { origin } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("protocol: any origin; admin: none", () => {
    const request = new Request("https://candor.test/x", { headers: { origin } });
    const answer = () => new Response("{}", { status: 202 });
    const open = corsify("protocol", answer(), request, env);
    expect([open.status, open.headers.get("access-control-allow-origin")]).toEqual([202, "*"]);
    const closed = corsify("admin", answer(), request, env);
    expect([closed.status, closed.headers.get("access-control-allow-origin")]).toEqual([202, null]);
  });

  it("no route allows the Authorization header cross-origin", async () => {
    for (const path of ["/v1/ping", "/e/", "/nope"]) {
      const res = await call(path, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
      });
      expect(res.headers.get("access-control-allow-headers") ?? "").not.toContain("authorization");
    }
  });
});

describe("X-Content-Type-Options: nosniff", () => {
  it.each([
    ["a JSON answer", () => call("/v1/health")],
    ["a JSON error", () => call("/nope")],
    ["a capture answer", () => call("/e/", { method: "POST", body: captureBody() })],
    ["a 405", () => call("/v1/ping")],
    ["a CSV export", () => call("/v1/admin/export/pings.csv?from=2026-01-01&to=2026-01-02", { headers: ADMIN })],
  ])("on %s", async (_n, send) => {
    const res = await send();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    await res.body?.cancel();
  });
});
