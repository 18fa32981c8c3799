import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import flowfuse from "../fixtures/ping-flowfuse-ce.json";
import { instancePingsAnswer, pingResponse } from "../../schema";
import { admin, count, post, uuid } from "./helpers";

describe("POST /v1/ping", () => {
  it("accepts the FlowFuse payload unchanged and stores instance and ping", async () => {
    const res = await post("/v1/ping", flowfuse);
    expect(res.status).toBe(200);
    const body = pingResponse.parse(await res.json());
    expect(body.ignored).toEqual([]);
    expect(body.dropped).toEqual([]);
    expect(body.update_available).toBe(false);
    expect(body.latest_version).toBeNull();

    const inst = await env.DB.prepare("SELECT * FROM instances WHERE id = ?").bind(flowfuse.instanceId).first();
    expect(inst).toMatchObject({
      product: "flowforge",
      version: "2.21.0",
      os_type: "Linux",
      os_arch: "x64",
      license_type: "CE",
      ping_count: 1,
    });
    const ping = await env.DB.prepare("SELECT * FROM pings WHERE uuid = ?")
      .bind(body.uuid)
      .first<Record<string, string>>();
    expect(ping).toMatchObject({
      instance_id: flowfuse.instanceId,
      product: "flowforge",
      version: "2.21.0",
      license_type: "CE",
    });
    const { projectsByState, devicesByLastSeen, ...flat } = flowfuse.platform.counts;
    expect(JSON.parse(ping!.counts!)).toEqual({
      ...flat,
      "projectsByState.suspended": projectsByState.suspended,
      "devicesByLastSeen.never": devicesByLastSeen.never,
      "devicesByLastSeen.day": devicesByLastSeen.day,
    });
    expect(JSON.parse(ping!.config!)).toEqual(flowfuse.platform.config);
    expect(JSON.parse(ping!.env!)).toEqual(flowfuse.env);
  });

  it("is also served at POST /ping (FlowFuse telemetry.url)", async () => {
    const res = await post("/ping", { ...flowfuse, instanceId: uuid() });
    expect(res.status).toBe(200);
    expect(pingResponse.parse(await res.json()).uuid).toBeTruthy();
  });

  it("lists unknown top-level fields as ignored and does not store them", async () => {
    const id = uuid();
    const res = await post("/v1/ping", {
      instanceId: id,
      product: "ferretdb",
      version: "2.0.0",
      hostname: "secret-box",
      extra: { a: 1 },
    });
    const body = pingResponse.parse(await res.json());
    expect(body.ignored.sort()).toEqual(["extra", "hostname"]);
    const row = await env.DB.prepare("SELECT * FROM pings WHERE uuid = ?").bind(body.uuid).first();
    expect(JSON.stringify(row)).not.toContain("secret-box");
  });

  it("upserts the instance: first seen kept, last seen and counters move", async () => {
    const id = uuid();
    await post("/v1/ping", { instanceId: id, product: "p1", version: "1.0.0", os: { type: "Linux" } });
    const first = await env.DB.prepare("SELECT * FROM instances WHERE id = ?")
      .bind(id)
      .first<{ first_seen: number; last_seen: number }>();
    await post("/v1/ping", { instanceId: id, product: "p1", version: "1.1.0" });
    const inst = await env.DB.prepare("SELECT * FROM instances WHERE id = ?").bind(id).first<Record<string, unknown>>();
    expect(inst).toMatchObject({ first_seen: first!.first_seen, version: "1.1.0", os_type: "Linux", ping_count: 2 });
    expect(inst!.last_seen as number).toBeGreaterThanOrEqual(first!.last_seen);
  });

  it("dedupes by Idempotency-Key: same uuid, nothing new stored", async () => {
    const id = uuid();
    const ping = { instanceId: id, product: "p2", version: "1.0.0" };
    const a = pingResponse.parse(await (await post("/v1/ping", ping, { "idempotency-key": "k-1" })).json());
    const b = pingResponse.parse(await (await post("/v1/ping", ping, { "idempotency-key": "k-1" })).json());
    expect(b.uuid).toBe(a.uuid);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM pings WHERE instance_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
    const inst = await env.DB.prepare("SELECT ping_count FROM instances WHERE id = ?")
      .bind(id)
      .first<{ ping_count: number }>();
    expect(inst!.ping_count).toBe(1);
    const c = pingResponse.parse(await (await post("/v1/ping", ping, { "idempotency-key": "k-2" })).json());
    expect(c.uuid).not.toBe(a.uuid);
  });

  it("concurrent repeats of one Idempotency-Key store one ping", async () => {
    const id = uuid();
    const ping = { instanceId: id, product: "p3" };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post("/v1/ping", ping, { "idempotency-key": "same" })),
    );
    const uuids = new Set(await Promise.all(answers.map(async (r) => pingResponse.parse(await r.json()).uuid)));
    expect(uuids.size).toBe(1);
    expect(await count("pings WHERE instance_id = '" + id + "'")).toBe(1);
  });

  it("keeps country and ASN from request.cf when present", async () => {
    const res = await post("/v1/ping", { instanceId: uuid(), product: "p4" });
    const { uuid: sub } = pingResponse.parse(await res.json());
    const row = await env.DB.prepare("SELECT country, asn FROM pings WHERE uuid = ?")
      .bind(sub)
      .first<{ country: string | null; asn: number | null }>();
    // miniflare supplies a fixed cf object; either value may be absent, never malformed.
    if (row!.country !== null) expect(row!.country).toMatch(/^[A-Z0-9]{2}$/);
    if (row!.asn !== null) expect(Number.isInteger(row!.asn)).toBe(true);
  });

  it("admin can read the ping back", async () => {
    const id = uuid();
    await post("/v1/ping", { instanceId: id, product: "p5", version: "3.1.4" });
    const res = await admin(`/v1/admin/instances/${id}/pings`);
    expect(res.status).toBe(200);
    const body = instancePingsAnswer.parse(await res.json());
    expect(body.items.map((p) => p.version)).toEqual(["3.1.4"]);
  });
});
