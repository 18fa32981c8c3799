import { describe, expect, it } from "vitest";
import { routes } from "../../worker/router";
import { ADMIN_PREFIX } from "../../worker/http/routeKind";
import { ADMIN, call } from "./helpers";

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
  it("has the 21 admin routes, all under /v1/admin/, and no other route there", () => {
    expect(admins.length).toBe(21);
    for (const r of routes) expect(r.path.startsWith(ADMIN_PREFIX), `${r.method} ${r.path}`).toBe(r.kind === "admin");
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
