import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import ce from "../fixtures/ping-flowfuse-ce.json";
import { eventsAnswer, instancesAnswer } from "../../schema";
import { browserRef } from "../../schema/wire/browserRef";
import { admin, dumpDatabase, errorCode, post, uuid } from "./helpers";
import { identityColumns, newIdentity, newKey, pageview, ping, rowsOf } from "./identity";

/** Independently computed: printf 'candor.browser-ref.v1:<id>' | sha256sum, first 16 bytes, base64url. */
const FLOWFUSE_REF = "Z2ZIT4pVQ7zRcwdYp2b9Sg";
/** FlowFuse's current ping, under the id whose browser reference is the vector above. */
const flowfuse = { ...ce, instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b" };

describe("installation keys on POST /v1/ping", () => {
  it("the first key-bearing ping of a new instance registers the key's digest; the same key keeps working", async () => {
    const who = await newIdentity();
    expect((await ping(who.id, who.key)).status).toBe(200);
    const row = await identityColumns(who.id);
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await dumpDatabase()).not.toContain(who.key);
    expect((await ping(who.id, who.key)).status).toBe(200);
    expect(await rowsOf(who)).toMatchObject({ pings: 2, facts: 2, exceptions: 2, instances: 1 });
  });

  it("once registered, a ping without the key or with another key is 403 instance_key_mismatch and writes nothing", async () => {
    const who = await newIdentity();
    const first = await ping(who.id, who.key, {}, { "idempotency-key": "day-1" });
    const { uuid: stored } = (await first.json()) as { uuid: string };
    const before = await dumpDatabase();
    for (const key of [undefined, newKey()]) {
      // An impersonator who also replays the installation's Idempotency-Key learns nothing of its ping.
      for (const headers of [{}, { "idempotency-key": "day-1" }] as Array<Record<string, string>>) {
        const res = await ping(who.id, key, { version: "6.6.6", os: { type: "Evil" } }, headers);
        expect(res.status).toBe(403);
        const text = await res.text();
        expect(JSON.parse(text)).toMatchObject({ error: { code: "instance_key_mismatch" } });
        expect(text).not.toContain(stored);
      }
    }
    // FlowFuse's body shape, as an impersonator would send it.
    const res = await post("/v1/ping", { ...flowfuse, instanceId: who.id });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe("instance_key_mismatch");
    expect(await dumpDatabase()).toBe(before); // no ping, record, instance update or key change
  });

  it("keyless clients (FlowFuse's unchanged ping) keep working, again and again, and register nothing", async () => {
    const id = uuid();
    for (let i = 0; i < 3; i++) expect((await post("/v1/ping", { ...flowfuse, instanceId: id })).status).toBe(200);
    expect(await identityColumns(id)).toEqual({ key_hash: null, browser_ref: await browserRef(id) });
  });

  it("an installation that reported before keys registers its key with its first key-bearing ping (trust on first use)", async () => {
    const who = await newIdentity();
    expect((await ping(who.id)).status).toBe(200); // before the upgrade: keyless
    expect((await identityColumns(who.id))!.key_hash).toBeNull();
    expect((await ping(who.id, who.key)).status).toBe(200); // the upgraded client: registers
    expect((await identityColumns(who.id))!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await ping(who.id)).status).toBe(403); // from then on keyless pings are refused
    expect((await ping(who.id, newKey())).status).toBe(403); // and so is a second key
    expect(await rowsOf(who)).toMatchObject({ pings: 2, instances: 1 });
  });

  it("a malformed Authorization is 400 invalid_header and writes nothing", async () => {
    const who = await newIdentity();
    const before = await dumpDatabase();
    for (const authorization of ["Bearer", "Bearer tooshort", "Token " + newKey(), `Bearer ${newKey()}!`]) {
      const res = await ping(who.id, undefined, {}, { authorization });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "invalid_header", header: "Authorization" } });
    }
    expect(await dumpDatabase()).toBe(before);
  });

  it("an upper-case id is the same installation for its key and its browser reference", async () => {
    const who = await newIdentity();
    await ping(who.id.toUpperCase(), who.key);
    expect((await identityColumns(who.id))!.browser_ref).toBe(who.ref); // stored lower-case
    expect(await identityColumns(who.id.toUpperCase())).toBeNull();
  });
});

describe("browser references", () => {
  it("the worker's derivation matches the independently computed vector", async () => {
    expect(await browserRef(flowfuse.instanceId)).toBe(FLOWFUSE_REF);
    expect(await browserRef(flowfuse.instanceId.toUpperCase())).toBe(FLOWFUSE_REF);
    expect((await post("/v1/ping", flowfuse)).status).toBe(200);
    expect((await identityColumns(flowfuse.instanceId))!.browser_ref).toBe(FLOWFUSE_REF);
  });

  it("an instance row from before browser references gets its reference with its next ping", async () => {
    const who = await newIdentity();
    await ping(who.id);
    await env.DB.prepare("UPDATE instances SET browser_ref = NULL WHERE id = ?").bind(who.id).run();
    await ping(who.id);
    expect((await identityColumns(who.id))!.browser_ref).toBe(who.ref);
  });

  it("the admin API joins events by reference (instance=<id> or <ref>) and never shows the key digest", async () => {
    const who = await newIdentity();
    await ping(who.id, who.key);
    await pageview(who.ref);
    await pageview((await newIdentity()).ref);
    for (const instance of [who.id, who.ref]) {
      const body = eventsAnswer.parse(await (await admin(`/v1/admin/events?instance=${instance}`)).json());
      expect(body.items).toHaveLength(1);
      expect(body.items[0]).toMatchObject({ instance_ref: who.ref });
      expect(body.items[0]).not.toHaveProperty("instance_id");
    }
    const { items } = instancesAnswer.parse(await (await admin("/v1/admin/instances?limit=500")).json());
    const row = items.find((i) => i.id === who.id)!;
    expect(row).toMatchObject({ browser_ref: who.ref, key_registered: true });
    expect(row).not.toHaveProperty("key_hash");
    const single = await (await admin(`/v1/admin/instances/${who.id}/pings`)).text();
    expect(single).toContain('"key_registered":true');
    expect(single).not.toContain((await identityColumns(who.id))!.key_hash!);
  });
});
