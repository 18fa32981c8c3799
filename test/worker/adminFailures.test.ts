import { describe, expect, it, vi } from "vitest";
import { ADMIN, budget, call, callWith, dumpDatabase, errorCode } from "./helpers";
import { ADMIN_FAILURE_WEIGHT } from "../../worker/routes/middleware/adminGuard";

const WRONG = { authorization: "Bearer not-the-admin-token" };
/** ADMIN_LIMITER as in wrangler.toml: 300 units per window. */
const UNITS = 300;

describe("failed admin authentications are limited per client", () => {
  it("10 failures block the client: then even the right token gets 429 with Retry-After", async () => {
    const limiter = budget(UNITS);
    const ip = { "cf-connecting-ip": "203.0.113.80" };
    const dump = await dumpDatabase();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(
        (await callWith({ ADMIN_LIMITER: limiter }, "/v1/admin/instances", { headers: { ...WRONG, ...ip } })).status,
      );
    }
    expect(UNITS / ADMIN_FAILURE_WEIGHT).toBe(10);
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429, 429]);
    const right = await callWith({ ADMIN_LIMITER: limiter }, "/v1/admin/instances", { headers: { ...ADMIN, ...ip } });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorCode(right)).toBe("rate_limited");
    // Another client with the right token is served, and nothing was written for any of this.
    const other = await callWith({ ADMIN_LIMITER: limiter }, "/v1/admin/instances", { headers: ADMIN });
    expect(other.status).toBe(200);
    expect(await dumpDatabase()).toBe(dump);
  });

  it("the shared counter decides, not only this isolate's cache: a client another isolate blocked gets 429 for the right token", async () => {
    const exhausted: RateLimit = { limit: async () => ({ success: false }) };
    const res = await callWith({ ADMIN_LIMITER: exhausted }, "/v1/admin/alerts", {
      headers: { ...ADMIN, "cf-connecting-ip": "203.0.113.81" },
    });
    expect(res.status).toBe(429);
  });

  it("the right token spends 1 unit, a wrong one 30, no token none (it guesses nothing)", async () => {
    const limiter = budget(UNITS);
    const ip = { "cf-connecting-ip": "203.0.113.82" };
    const spent = () => [...limiter.spent.values()].reduce((a, b) => a + b, 0);
    expect((await callWith({ ADMIN_LIMITER: limiter }, "/v1/admin/alerts", { headers: ip })).status).toBe(401);
    expect(spent()).toBe(0);
    expect(
      (await callWith({ ADMIN_LIMITER: limiter }, "/v1/admin/alerts", { headers: { ...ADMIN, ...ip } })).status,
    ).toBe(200);
    expect(spent()).toBe(1);
    expect(
      (await callWith({ ADMIN_LIMITER: limiter }, "/v1/admin/alerts", { headers: { ...WRONG, ...ip } })).status,
    ).toBe(401);
    expect(spent()).toBe(1 + ADMIN_FAILURE_WEIGHT);
  });

  it("a missing ADMIN_LIMITER is a loud 503, never unlimited", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await callWith({ ADMIN_LIMITER: undefined }, "/v1/admin/alerts", { headers: WRONG });
    spy.mockRestore();
    expect(res.status).toBe(503);
    expect(await errorCode(res)).toBe("not_configured");
  });

  it("against the simulated ADMIN_LIMITER of wrangler.toml: guesses from one address end in 429, then the right token too", async () => {
    const ip = { "cf-connecting-ip": "2001:db8:ad::1" };
    let failures = 0;
    let status = 401;
    // 10 failures fill a window; a run that straddles a window boundary needs up to 20.
    while (status === 401 && failures < 25) {
      const res = await call("/v1/admin/releases", { headers: { ...WRONG, ...ip } });
      status = res.status;
      await res.body?.cancel();
      if (status === 401) failures++;
    }
    expect(status).toBe(429);
    expect(failures).toBeGreaterThanOrEqual(10);
    // Same /64, another address, the right token: still blocked.
    const right = await call("/v1/admin/releases", { headers: { ...ADMIN, "cf-connecting-ip": "2001:db8:ad::2" } });
    expect(right.status).toBe(429);
  });
});
