import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { admin, call, count, errorCode, post, uuid } from "./helpers";

const forget = (id: string, ip?: string) =>
  call(`/v1/instances/${id}`, { method: "DELETE", headers: ip ? { "cf-connecting-ip": ip } : {} });

async function rowsOf(id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ["pings", "facts", "exceptions", "events"]) out[t] = await count(`${t} WHERE instance_id = '${id}'`);
  out.instances = await count(`instances WHERE id = '${id}'`);
  return out;
}

describe("DELETE /v1/instances/:instanceId (public forget)", () => {
  it("erases the installation's instance, pings, facts, exceptions and events; leaves others", async () => {
    const id = uuid();
    const other = uuid();
    const records = {
      facts: [{ id: uuid(), kind: "feature", key: "k", value: "v", collectedAt: 1 }],
      exceptions: [{ id: uuid(), type: "Error", message: "m", collectedAt: 1 }],
    };
    for (const i of [id, other]) {
      expect(
        (
          await post("/v1/ping", {
            instanceId: i,
            product: "p-forget",
            ...records,
            facts: [{ ...records.facts[0], id: uuid() }],
            exceptions: [{ ...records.exceptions[0], id: uuid() }],
          })
        ).status,
      ).toBe(200);
    }
    await env.DB.prepare(
      "INSERT INTO events (uuid, product, event, received_at, day, instance_id) VALUES (?, 'p-forget', '$pageview', 1, '2026-01-01', ?)",
    )
      .bind(uuid(), id)
      .run();
    expect(await rowsOf(id)).toEqual({ pings: 1, facts: 1, exceptions: 1, events: 1, instances: 1 });

    const res = await forget(id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await rowsOf(id)).toEqual({ pings: 0, facts: 0, exceptions: 0, events: 0, instances: 0 });
    expect(await rowsOf(other)).toEqual({ pings: 1, facts: 1, exceptions: 1, events: 0, instances: 1 });
    expect((await admin(`/v1/admin/instances/${id}/pings`)).status).toBe(404);
  });

  it("answers 204 for an id that never existed, and again for one already forgotten", async () => {
    expect((await forget(uuid())).status).toBe(204);
    const id = uuid();
    await post("/v1/ping", { instanceId: id, product: "p-forget" });
    expect((await forget(id)).status).toBe(204);
    expect((await forget(id)).status).toBe(204);
  });

  it("needs no token, keeps its status through CORS, and rejects a non-uuid with 400", async () => {
    const res = await call(`/v1/instances/${uuid()}`, {
      method: "DELETE",
      headers: { origin: "https://console.example" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const bad = await forget("not-a-uuid");
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe("invalid_field");
  });

  it("other methods on the route are 405 with Allow", async () => {
    const res = await call(`/v1/instances/${uuid()}`, { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("DELETE");
  });

  it("is rate-limited: over the limit answers 429 and erases nothing", async () => {
    // wrangler.toml: 600 per 60 s per client key. The simulated limiter's window may roll over
    // mid-test, so a round that lands in a fresh window is simply repeated.
    let limitedTarget = false;
    for (let round = 0; round < 3 && !limitedTarget; round++) {
      const id = uuid();
      const ip = `192.0.2.${round + 1}`; // one client; a fresh address per round
      await post("/v1/ping", { instanceId: id, product: "p-forget" });
      let limited: Response | undefined;
      for (let i = 0; i < 1500 && !limited; i++) {
        const res = await forget(uuid(), ip);
        if (res.status === 429) limited = res;
        else expect(res.status).toBe(204);
      }
      expect(limited).toBeDefined();
      expect(await errorCode(limited!)).toBe("rate_limited");
      expect(limited!.headers.get("retry-after")).toBe("60");
      const res = await forget(id, ip);
      if (res.status !== 429) continue;
      limitedTarget = true;
      expect(await rowsOf(id)).toMatchObject({ pings: 1, instances: 1 });
    }
    expect(limitedTarget).toBe(true);
  }, 120_000); // hundreds of requests: a budget, not a timed assertion
});
