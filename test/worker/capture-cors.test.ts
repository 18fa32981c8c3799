import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { BASE, call, count, uuid } from "./helpers";

const TOKEN = "phc_candor_dev";
const ALLOWED = "https://console.example.com";
const OTHER = "https://evil.example";
/** The worker with ALLOWED_ORIGINS restricted to one console. */
const restricted: Env = {
  ...env,
  ALLOWED_ORIGINS: `${ALLOWED}, https://second.example` as string as Env["ALLOWED_ORIGINS"],
};

/** The same worker whose CAPTURE_TOKENS is broken: capture answers 503 (retryable). */
const misconfigured: Env = { ...restricted, CAPTURE_TOKENS: "{broken" as string as Env["CAPTURE_TOKENS"] };

async function fetchRestricted(path: string, init: RequestInit = {}, vars: Env = restricted): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    vars,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}
const batch = (events: unknown[], token = TOKEN) => JSON.stringify({ api_key: token, batch: events });
const event = () => ({ uuid: uuid(), event: "$pageview", properties: { token: TOKEN } });
const post = (path: string, body: BodyInit, origin: string, headers: Record<string, string> = {}) =>
  fetchRestricted(path, { method: "POST", body, headers: { origin, ...headers } });

describe("CORS on the PostHog routes follows ALLOWED_ORIGINS, statuses intact", () => {
  it("preflight from an allowed origin: 204, origin reflected, Vary: Origin", async () => {
    const res = await fetchRestricted("/e/", {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it.each([
    ["200 capture", () => post("/e/", batch([event()]), ALLOWED), 200],
    ["200 config", () => fetchRestricted(`/array/${TOKEN}/config`, { headers: { origin: ALLOWED } }), 200],
    ["200 flags", () => post("/flags/?v=2", "{}", ALLOWED), 200],
    ["400 bad JSON", () => post("/e/", "{nope", ALLOWED), 400],
    ["401 unknown token", () => post("/e/", batch([event()], "phc_nope"), ALLOWED), 401],
    [
      "401 unknown config token",
      () => fetchRestricted("/array/phc_nope/config", { headers: { origin: ALLOWED } }),
      401,
    ],
    ["404 unknown route", () => fetchRestricted("/e/extra/path", { headers: { origin: ALLOWED } }), 404],
    ["405 GET on capture", () => fetchRestricted("/e/", { headers: { origin: ALLOWED } }), 405],
    ["413 too large", () => post("/e/", "x".repeat(1024 * 1024 + 1), ALLOWED), 413],
    ["415 unknown Content-Encoding", () => post("/e/", "{}", ALLOWED, { "content-encoding": "br" }), 415],
    [
      "503 capture not configured",
      () =>
        fetchRestricted("/e/", { method: "POST", body: batch([event()]), headers: { origin: ALLOWED } }, misconfigured),
      503,
    ],
  ])("%s keeps its status and CORS headers", async (_n, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get("access-control-allow-origin")).toMatch(/^(\*|https:\/\/console\.example\.com)$/);
  });

  it("a preflight from another origin gets no allow-origin; its capture is refused 401 and stores nothing", async () => {
    const pre = await fetchRestricted("/e/", {
      method: "OPTIONS",
      headers: { origin: OTHER, "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const before = await count("events");
    const res = await post("/e/", batch([event()]), OTHER, { "content-type": "text/plain" });
    expect(res.status).toBe(401);
    expect(await count("events")).toBe(before);
  });

  it("that 401 names the refused origin, so the browser can read it and posthog-js stops (status 0 is retried)", async () => {
    for (const path of ["/e/", "/flags/?v=2"]) {
      const res = await post(path, batch([event()]), OTHER, { "content-type": "text/plain" });
      expect(res.status).toBe(401);
      expect(res.headers.get("access-control-allow-origin")).toBe(OTHER);
      expect(res.headers.get("vary")).toContain("Origin");
    }
    const config = await fetchRestricted(`/array/${TOKEN}/config`, { headers: { origin: OTHER } });
    expect([config.status, config.headers.get("access-control-allow-origin")]).toEqual([401, OTHER]);
  });

  it("server-side clients (no Origin header) are not affected", async () => {
    const res = await fetchRestricted("/batch/", { method: "POST", body: batch([event()]) });
    expect(res.status).toBe(200);
  });

  it('with the default ALLOWED_ORIGINS="*" any origin may capture', async () => {
    const res = await call("/e/", { method: "POST", body: batch([event()]), headers: { origin: OTHER } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(OTHER);
  });
});

describe("remote config and flags: what a stock posthog-js fetches on init", () => {
  it("GET /array/:token/config: gzip supported, no surveys key", async () => {
    const res = await call(`/array/${TOKEN}/config`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.supportedCompression).toEqual(["gzip", "gzip-js"]);
    expect("surveys" in doc).toBe(false);
  });

  it("GET /array/:token/config.js sets window._POSTHOG_REMOTE_CONFIG[token]", async () => {
    const res = await call(`/array/${TOKEN}/config.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    const window: { _POSTHOG_REMOTE_CONFIG?: Record<string, { config: { supportedCompression: string[] } }> } = {};
    new Function("window", await res.text())(window);
    expect(window._POSTHOG_REMOTE_CONFIG?.[TOKEN]?.config.supportedCompression).toEqual(["gzip", "gzip-js"]);
  });

  it.each(["/flags/?v=2", "/flags", "/decide/?v=3", "/decide"])("POST %s: no flags", async (path) => {
    const res = await call(path, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ flags: {}, featureFlags: {}, errorsWhileComputingFlags: false });
  });
});
