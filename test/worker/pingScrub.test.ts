import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import ce from "../fixtures/ping-flowfuse-ce.json";
import { instanceFactsAnswer, pingResponse } from "../../schema";
import { factRows } from "../../worker/pipeline/ping/records";
import { admin, count, dumpDatabase, post, uuid } from "./helpers";

async function send(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await post("/v1/ping", body, headers);
  expect(res.status).toBe(200); // an odd value never refuses the ping
  return pingResponse.parse(await res.json());
}
async function ping(sub: string) {
  return env.DB.prepare("SELECT * FROM pings WHERE uuid = ?").bind(sub).first<Record<string, string | null>>();
}

describe("ping free text: a field holding a private value is dropped, named in `dropped`, the ping kept", () => {
  it("FlowFuse with an e-mail as os.type and a UUID as licence type (stored as sent before)", async () => {
    const licence = "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b";
    const body = {
      ...ce,
      instanceId: uuid(),
      os: { ...ce.os, type: "ops@acme.example" },
      platform: { ...ce.platform, license: { id: "", type: licence } },
    };
    const answer = await send(body, { "user-agent": "x" });
    expect(answer.dropped).toEqual([
      { path: "$.os.type", reason: "email" },
      { path: "$.platform.license.type", reason: "id" },
    ]);
    const row = await ping(answer.uuid);
    expect(row).toMatchObject({ os_type: null, license_type: null, os_release: ce.os.release, version: "2.21.0" });
    const dump = await dumpDatabase();
    expect(dump).not.toContain("ops@acme.example");
    expect(dump).not.toContain(licence);
  });

  it("every string field: version, os, env, product, config, count keys; the answer never echoes a value", async () => {
    const id = uuid();
    const answer = await send({
      instanceId: id,
      product: "10.1.2.3",
      version: "/home/carol/1.0.0",
      os: { type: "Linux", release: "srv-01.corp", arch: "x64" },
      env: { nodejs: "v20.1.0", "me@x.example": "1", proxy: "http://u:p@proxy.example:3128", DB_PASSWORD: "pw1" },
      platform: {
        counts: { users: 2, "me@x.example": 1 },
        config: {
          driver: "docker",
          store: { path: "/home/carol/data", token: "abc", enabled: true },
          "a@b.example": true,
        },
      },
    });
    expect(answer.dropped).toEqual([
      { path: "$.platform.counts.<email>", reason: "email" },
      { path: "$.product", reason: "ip" },
      { path: "$.version", reason: "home" },
      { path: "$.os.release", reason: "host" },
      { path: "$.env.<email>", reason: "email" },
      { path: "$.env.proxy", reason: "url" },
      { path: "$.env.DB_PASSWORD", reason: "secret" },
      { path: "$.platform.config.store.path", reason: "home" },
      { path: "$.platform.config.store.token", reason: "secret" },
      { path: "$.platform.config.<email>", reason: "email" },
    ]);
    expect(JSON.stringify(answer)).not.toMatch(/carol|x\.example|proxy\.example|10\.1\.2\.3|pw1/);
    const row = await ping(answer.uuid);
    expect(row).toMatchObject({
      product: "flowforge",
      version: null,
      os_type: "Linux",
      os_release: null,
      os_arch: "x64",
    });
    expect(JSON.parse(row!.env!)).toEqual({ nodejs: "v20.1.0" });
    expect(JSON.parse(row!.counts!)).toEqual({ users: 2 });
    expect(JSON.parse(row!.config!)).toEqual({ driver: "docker", store: { enabled: true } });
  });

  it("a version field keeps a dotted quad (1.2.3.4 is a version there, not an address)", async () => {
    const answer = await send({
      instanceId: uuid(),
      product: "p-versions",
      version: "1.2.3.4",
      os: { release: "10.0.19045.1" },
      env: { agent: "4.3.2.1" },
    });
    expect(answer.dropped).toEqual([]);
    expect(await ping(answer.uuid)).toMatchObject({ version: "1.2.3.4", os_release: "10.0.19045.1" });
  });

  it("facts: values are scrubbed in place, a fact whose key is private is dropped", async () => {
    const id = uuid();
    const kept = { id: uuid(), kind: "feature", key: "export.target", collectedAt: 1 };
    const answer = await send({
      instanceId: id,
      product: "p-facts",
      facts: [
        { ...kept, value: "to /home/dan/backup.tar for dan@acme.example" },
        { id: uuid(), kind: "feature", key: "dan@acme.example", value: "1", collectedAt: 1 },
      ],
    });
    expect(answer.dropped).toEqual([{ path: "$.facts[1].key", reason: "email" }]);
    const res = await admin(`/v1/admin/instances/${id}/facts`);
    const { items } = instanceFactsAnswer.parse(await res.json());
    expect(items.map((f) => [f.key, f.value])).toEqual([["export.target", "to <path>/backup.tar for <email>"]]);
  });

  it("an Idempotency-Key is a random id by design (kept), unless it names someone (dropped: no dedupe)", async () => {
    const id = uuid();
    const key = uuid();
    const a = await send({ instanceId: id, product: "p-keys" }, { "idempotency-key": key });
    const b = await send({ instanceId: id, product: "p-keys" }, { "idempotency-key": key });
    expect(b.uuid).toBe(a.uuid);
    const c = await send({ instanceId: id, product: "p-keys" }, { "idempotency-key": "eve@acme.example" });
    expect(c.dropped).toEqual([{ path: "Idempotency-Key", reason: "email" }]);
    expect((await ping(c.uuid))!.idempotency_key).toBeNull();
    expect(await count(`pings WHERE instance_id = '${id}'`)).toBe(2);
  });

  it("factRows, which every route's facts go through, scrubs values and leaves out private keys", () => {
    const f = (key: string, value: string) => ({ id: uuid(), kind: "feature" as const, key, value, collectedAt: 1 });
    const rows = factRows([f("cmd", `ran in /home/ivy/x by ivy@acme.example`), f("ivy@acme.example", "1")], {
      instanceId: uuid(),
      version: null,
      now: 0,
    });
    expect(rows.map((r) => [r.key, r.value])).toEqual([["cmd", "ran in <path>/x by <email>"]]);
  });
});
