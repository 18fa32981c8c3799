import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { budget, callWith, captureBody, count, dumpAllButEvents, dumpDatabase, errorCode, uuid } from "./helpers";
import { damping, limitClasses, sentryRateLimits } from "../../worker/routes/middleware/limits";
import { clientKey } from "../../worker/pipeline/abuse/clientKey";
import { database } from "../../worker/store/db";
import { toHex } from "../../worker/lib/hex";
import { HttpError } from "../../worker/lib/error";
import type { IRequest } from "itty-router";

// Deterministic damping: each test passes tiny real limiters (helpers.budget) instead of the
// simulated bindings (those are exercised by captureFlood.test.ts and ratelimit.test.ts).

const capture = (limiter: RateLimit, ip: string, body: BodyInit = captureBody()) =>
  callWith({ CAPTURE_LIMITER: limiter }, "/e/", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
  });

/** Every table but those an accepted event writes (the event and its counters), as JSON. */
const allButEvents = dumpAllButEvents;

describe("capture is damped per client before anything is read or written", () => {
  it("one client over its budget: 429 rate_limited with Retry-After; rows stored == requests accepted, nothing else", async () => {
    const limiter = budget(5);
    const rest = await allButEvents();
    const before = await count("events");
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await capture(limiter, "203.0.113.5");
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get("retry-after")).toBe("60");
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        expect(await errorCode(res)).toBe("rate_limited");
      } else await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200).length).toBe(5);
    expect(statuses.filter((s) => s === 429).length).toBe(15);
    expect(await count("events")).toBe(before + 5);
    expect(await allButEvents()).toBe(rest); // no salt row, nothing else
    expect(await count("salts")).toBe(0);
    expect((await capture(limiter, "203.0.113.6")).status).toBe(200); // another client is unaffected
  });

  it("a refused request's body is never read (an accepted one's is: the probe works)", async () => {
    const probe = () => {
      const reads = { n: 0 };
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            reads.n++;
            controller.enqueue(new TextEncoder().encode(captureBody()));
            controller.close();
          },
        },
        { highWaterMark: 0 }, // pulled only when someone reads
      );
      return { reads, body };
    };
    const refused = probe();
    expect((await capture(budget(0), "203.0.113.7", refused.body)).status).toBe(429);
    expect(refused.reads.n).toBe(0);
    const accepted = probe();
    expect((await capture(budget(1), "203.0.113.7", accepted.body)).status).toBe(200);
    expect(accepted.reads.n).toBeGreaterThan(0);
  });

  it("the 429 of a PostHog route keeps its CORS headers, so posthog-js reads it (and does not retry)", async () => {
    const res = await callWith({ CAPTURE_LIMITER: budget(0) }, "/e/", {
      method: "POST",
      body: captureBody(),
      headers: { origin: "https://console.example.com" },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://console.example.com");
  });
});

describe("the client key: IPv6 by /64, IPv4 in full, no writes", () => {
  it("IPv6 clients rotating addresses inside one /64 share a budget; another /64 has its own", async () => {
    const limiter = budget(3);
    const inside = ["2001:db8:7:1::1", "2001:db8:7:1::2", "2001:db8:7:1:abcd::9", "2001:db8:7:1:ffff:ffff:ffff:ffff"];
    const statuses = [];
    for (const ip of inside) statuses.push((await capture(limiter, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(new Set(limiter.keys).size).toBe(1);
    expect((await capture(limiter, "2001:db8:7:2::1")).status).toBe(200);
    expect(new Set(limiter.keys).size).toBe(2);
  });

  it("an IPv4-mapped IPv6 address counts as that IPv4 address", async () => {
    const limiter = budget(1);
    expect((await capture(limiter, "198.51.100.200")).status).toBe(200);
    expect((await capture(limiter, "::ffff:198.51.100.200")).status).toBe(429);
    expect(new Set(limiter.keys).size).toBe(1);
  });

  it("the key never contains the address, and is the same for the same client", async () => {
    const limiter = budget(10);
    await capture(limiter, "198.51.100.201");
    await capture(limiter, "198.51.100.201");
    expect(limiter.keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(limiter.keys[0]).toBe(limiter.keys[1]);
  });

  it("with the day's salt (made by the cron), the key is HMAC(salt, address); without it, no salt row is written", async () => {
    const req = new Request("https://candor.test/", { headers: { "cf-connecting-ip": "2001:db8:9:9::5" } });
    const db = database(env);
    const saltless = Date.UTC(2031, 0, 2, 12);
    const before = await count("salts");
    const ephemeral = await clientKey(db, req, saltless);
    expect(await count("salts")).toBe(before); // computing a key writes nothing

    const day = Date.UTC(2031, 0, 1, 12);
    const salt = "ab".repeat(32);
    await env.DB.prepare("INSERT INTO salts (day, salt, created_at) VALUES ('2031-01-01', ?, 0)").bind(salt).run();
    const hmac = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(salt),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const want = toHex(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode("6:2001:db8:9:9::/64")));
    expect(await clientKey(db, req, day)).toBe(want);
    expect(ephemeral).not.toBe(want);
  });
});

describe("every limiter class", () => {
  const ip = { "cf-connecting-ip": "203.0.113.50" };
  it.each([
    ["PING_LIMITER", "/v1/ping", { method: "POST", body: JSON.stringify({ instanceId: uuid() }), headers: ip }],
    ["CAPTURE_LIMITER", "/batch/", { method: "POST", body: captureBody(), headers: ip }],
    ["POSTHOG_LIMITER", "/array/phc_candor_dev/config", { headers: ip }],
    ["POSTHOG_LIMITER", "/flags/?v=2", { method: "POST", body: "{}", headers: ip }],
    ["FORGET_LIMITER", `/v1/instances/${uuid()}`, { method: "DELETE", headers: ip }],
  ] as const)(
    "%s guards %s: refused -> 429 and nothing written; missing -> 503 naming it",
    async (binding, path, init) => {
      const dump = await dumpDatabase();
      const refused = await callWith({ [binding]: budget(0) }, path, init);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("60");
      const spy = vi.spyOn(console, "error").mockImplementation(() => {});
      const missing = await callWith({ [binding]: undefined }, path, init);
      spy.mockRestore();
      expect(missing.status).toBe(503);
      expect(((await missing.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "not_configured",
        message: `Binding ${binding} is missing.`,
      });
      expect(await dumpDatabase()).toBe(dump);
    },
  );

  it("a refused forget erases nothing", async () => {
    const id = uuid();
    const ping = await callWith({}, "/v1/ping", { method: "POST", body: JSON.stringify({ instanceId: id }) });
    expect(ping.status).toBe(200);
    const res = await callWith({ FORGET_LIMITER: budget(0) }, `/v1/instances/${id}`, { method: "DELETE" });
    expect(res.status).toBe(429);
    const row = await env.DB.prepare("SELECT id FROM instances WHERE id = ?").bind(id).first();
    expect(row).not.toBeNull();
  });

  it("a row's `limited` headers ride its 429: Sentry's X-Sentry-Rate-Limits (the extension point)", async () => {
    const guard = damping("protocol", sentryRateLimits);
    const request = new Request("https://candor.test/api/1/envelope/", { method: "POST" }) as unknown as IRequest;
    const err = await guard(request, { ...env, PROTOCOL_LIMITER: budget(0) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({
      status: 429,
      code: "rate_limited",
      headers: { "retry-after": "60", "x-sentry-rate-limits": "60::organization" },
    });
    expect(limitClasses.protocol.binding).toBe("PROTOCOL_LIMITER");
  });
});
