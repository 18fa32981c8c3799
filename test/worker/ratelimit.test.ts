import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { count, errorCode, post, uuid } from "./helpers";

// wrangler.toml: PING_LIMITER allows 600 pings per 60 s per client key (HMAC of the IP).
describe("abuse damping", () => {
  // The simulated binding counts in fixed 60 s windows: a slow run may cross one boundary, so the
  // budget is 600 per window (at most two windows are touched before the first 429).
  it(
    "answers 429 rate_limited past the limit for one client, stores nothing for it, other clients unaffected",
    { timeout: 240_000 },
    async () => {
      const ip = "198.51.100.9";
      const before = await count("pings");
      let accepted = 0;
      let limited: Response | undefined;
      for (let i = 0; i < 1300 && !limited; i++) {
        const res = await post("/v1/ping", { instanceId: uuid(), product: "rl" }, { "cf-connecting-ip": ip });
        if (res.status === 200) accepted++;
        else limited = res;
      }
      expect(limited?.status).toBe(429);
      expect(accepted).toBeGreaterThanOrEqual(600);
      expect(accepted).toBeLessThanOrEqual(1200);
      expect(limited!.headers.get("retry-after")).toBe("60");
      expect(await errorCode(limited!)).toBe("rate_limited");
      expect(await count("pings")).toBe(before + accepted);
      const other = await post(
        "/v1/ping",
        { instanceId: uuid(), product: "rl" },
        { "cf-connecting-ip": "198.51.100.10" },
      );
      expect(other.status).toBe(200);
    },
  );
});

describe("PING_DAMPING switch", () => {
  const refusing: RateLimit = { limit: async () => ({ success: false }) };
  const ping = (): Request<unknown, IncomingRequestCfProperties> =>
    new Request<unknown, IncomingRequestCfProperties>("https://candor.test/v1/ping", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "198.51.100.77" },
      body: JSON.stringify({ instanceId: uuid(), product: "switch" }),
    });

  it('"on" consults the limiter (a refusing limiter -> 429)', async () => {
    const res = await worker.fetch(ping(), { ...env, PING_LIMITER: refusing }, createExecutionContext());
    expect(res.status).toBe(429);
  });

  it('"off" skips it (the same limiter is never asked)', async () => {
    const off = { ...env, PING_LIMITER: refusing, PING_DAMPING: "off" } as unknown as Env;
    const res = await worker.fetch(ping(), off, createExecutionContext());
    expect(res.status).toBe(200);
  });

  it("a missing limiter binding is a loud 503 not_configured, never unlimited", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const missing = { ...env, PING_LIMITER: undefined } as unknown as Env;
    const res = await worker.fetch(ping(), missing, createExecutionContext());
    spy.mockRestore();
    expect(res.status).toBe(503);
    expect(await errorCode(res)).toBe("not_configured");
  });
});
