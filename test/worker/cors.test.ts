import { describe, expect, it } from "vitest";
import { call, post, uuid } from "./helpers";

const ORIGIN = { origin: "https://console.example.com" };

describe("CORS keeps every status (admin routes have no CORS: routeTable.test.ts)", () => {
  it("answers a preflight with 204 and the allow headers", async () => {
    const res = await call("/v1/ping", {
      method: "OPTIONS",
      headers: { ...ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBeTruthy();
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it.each([
    ["200", () => post("/v1/ping", { instanceId: uuid() }, ORIGIN), 200],
    ["400", () => post("/v1/ping", { instanceId: "x" }, ORIGIN), 400],
    ["401", () => post("/e/", { api_key: "phc_unknown", batch: [] }, ORIGIN), 401],
    ["404", () => call("/nope", { headers: ORIGIN }), 404],
    ["405", () => call("/v1/ping", { headers: ORIGIN }), 405],
    ["413", () => post("/v1/ping", { pad: "x".repeat(70_000) }, ORIGIN), 413],
  ])("%s survives with CORS headers", async (_n, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get("access-control-allow-origin")).toBeTruthy();
  });
});
