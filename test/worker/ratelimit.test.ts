import { describe, expect, it } from "vitest";
import { count, errorCode, post, uuid } from "./helpers";

// wrangler.toml: PING_LIMITER allows 600 pings per 60 s per client key (HMAC of the IP).
describe("abuse damping", () => {
  it("answers 429 rate_limited past the limit for one client, stores nothing, other clients unaffected", { timeout: 120_000 }, async () => {
    const ip = "198.51.100.9";
    const statuses: number[] = [];
    for (let i = 0; i < 601; i++) {
      statuses.push((await post("/v1/ping", { instanceId: uuid(), product: "rl" }, { "cf-connecting-ip": ip })).status);
    }
    expect(statuses.filter((s) => s === 200).length).toBe(600);
    expect(statuses.at(-1)).toBe(429);
    const before = await count("pings");
    const limited = await post("/v1/ping", { instanceId: uuid(), product: "rl" }, { "cf-connecting-ip": ip });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await errorCode(limited)).toBe("rate_limited");
    expect(await count("pings")).toBe(before);
    const other = await post("/v1/ping", { instanceId: uuid(), product: "rl" }, { "cf-connecting-ip": "198.51.100.10" });
    expect(other.status).toBe(200);
  });
});
