import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { admin, call, dumpDatabase, errorCode, uuid } from "./helpers";
import { forget, newIdentity, newKey, pageview, ping, rowsOf } from "./identity";

const erased = { pings: 0, facts: 0, exceptions: 0, events: 0, instances: 0, activity: 0 };
const one = { pings: 1, facts: 1, exceptions: 1, events: 1, instances: 1, activity: 1 };

describe("DELETE /v1/instances/:instanceId (the installation's own erasure)", () => {
  it("with its registered key: erases the instance, pings, facts, exceptions, activity and its events by browser reference; leaves others", async () => {
    const [who, other] = [await newIdentity(), await newIdentity()];
    for (const i of [who, other]) {
      expect((await ping(i.id, i.key)).status).toBe(200);
      await pageview(i.ref);
    }
    expect(await rowsOf(who)).toEqual(one);

    const res = await forget(who.id, who.key);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await rowsOf(who)).toEqual(erased);
    expect(await rowsOf(other)).toEqual(one);
    expect((await admin(`/v1/admin/instances/${who.id}/pings`)).status).toBe(404);
  });

  it("with a registered key, no key or a wrong key is 403 instance_key_mismatch and erases nothing", async () => {
    const who = await newIdentity();
    await ping(who.id, who.key);
    await pageview(who.ref);
    const before = await dumpDatabase();
    for (const key of [undefined, newKey()]) {
      const res = await forget(who.id, key);
      expect(res.status).toBe(403);
      expect(await errorCode(res)).toBe("instance_key_mismatch");
    }
    expect(await dumpDatabase()).toBe(before);
    expect(await rowsOf(who)).toEqual(one);
    expect((await forget(who.id, who.key)).status).toBe(204);
    expect(await rowsOf(who)).toEqual(erased);
  });

  it("an installation that never registered a key (before keys, or a keyless client) is erased by its id alone", async () => {
    const legacy = await newIdentity();
    expect((await ping(legacy.id)).status).toBe(200);
    await pageview(legacy.ref);
    expect(await rowsOf(legacy)).toEqual(one);
    expect((await forget(legacy.id)).status).toBe(204);
    expect(await rowsOf(legacy)).toEqual(erased);

    // Its upgraded client presents the key it made, which was never registered: erased too.
    const upgraded = await newIdentity();
    await ping(upgraded.id);
    expect((await forget(upgraded.id, upgraded.key)).status).toBe(204);
    expect(await rowsOf(upgraded)).toEqual(erased);
  });

  it("answers an unknown id like an erased one (204, with or without a key), so it tells nothing about other ids", async () => {
    expect((await forget(uuid())).status).toBe(204);
    expect((await forget(uuid(), newKey())).status).toBe(204);
    const who = await newIdentity();
    await ping(who.id, who.key);
    expect((await forget(who.id, who.key)).status).toBe(204);
    expect((await forget(who.id, who.key)).status).toBe(204); // already forgotten
    // ... and its id is then free again: nothing of the old key is left.
    const next = newKey();
    expect((await ping(who.id, next)).status).toBe(200);
    expect((await forget(who.id, next)).status).toBe(204);
  });

  it("a malformed Authorization is 400 invalid_header; a non-uuid id is 400 invalid_field; nothing erased", async () => {
    const who = await newIdentity();
    await ping(who.id);
    for (const authorization of ["Bearer short", "Basic abc", `Bearer ${newKey()} extra`]) {
      const res = await forget(who.id, undefined, { authorization });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "invalid_header", header: "Authorization" } });
    }
    expect((await rowsOf(who)).instances).toBe(1);
    const bad = await forget("not-a-uuid");
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe("invalid_field");
  });

  it("keeps its status through CORS", async () => {
    const res = await forget(uuid(), undefined, { origin: "https://console.example" });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const who = await newIdentity();
    await ping(who.id, who.key);
    const refused = await forget(who.id, undefined, { origin: "https://console.example" });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("other methods on the route are 405 with Allow", async () => {
    const res = await call(`/v1/instances/${uuid()}`, { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("DELETE");
  });

  it("the maintainer's admin erase needs no installation key and also erases events by reference", async () => {
    const who = await newIdentity();
    await ping(who.id, who.key);
    await pageview(who.ref);
    expect((await admin(`/v1/admin/instances/${who.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await rowsOf(who)).toEqual(erased);
  });

  it("is rate-limited: over the limit answers 429 and erases nothing", async () => {
    // wrangler.toml FORGET_LIMITER: 30 per 60 s per client key. The simulated limiter's window may roll over
    // mid-test, so a round that lands in a fresh window is simply repeated.
    let limitedTarget = false;
    for (let round = 0; round < 3 && !limitedTarget; round++) {
      const who = await newIdentity();
      const ip = { "cf-connecting-ip": `192.0.2.${round + 1}` }; // one client; a fresh address per round
      await ping(who.id);
      let limited: Response | undefined;
      for (let i = 0; i < 1500 && !limited; i++) {
        const res = await forget(uuid(), undefined, ip);
        if (res.status === 429) limited = res;
        else expect(res.status).toBe(204);
      }
      expect(limited).toBeDefined();
      expect(await errorCode(limited!)).toBe("rate_limited");
      expect(limited!.headers.get("retry-after")).toBe("60");
      const res = await forget(who.id, undefined, ip);
      if (res.status !== 429) continue;
      limitedTarget = true;
      expect(await rowsOf(who)).toMatchObject({ pings: 1, instances: 1 });
    }
    expect(limitedTarget).toBe(true);
  }, 120_000); // hundreds of requests: a budget, not a timed assertion

  it("stores only a digest of the key: the key itself is nowhere in D1", async () => {
    const who = await newIdentity();
    await ping(who.id, who.key);
    const row = await env.DB.prepare("SELECT key_hash FROM instances WHERE id = ?")
      .bind(who.id)
      .first<{ key_hash: string }>();
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await dumpDatabase()).not.toContain(who.key);
  });
});
