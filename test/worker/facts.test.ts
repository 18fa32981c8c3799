import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { instanceExceptionsAnswer, instanceFactsAnswer, pingLimits, pingResponse } from "../../schema";
import { fingerprintSource, topFrames } from "../../worker/pipeline/ping/records";
import { admin, call, count, errorCode, post, uuid } from "./helpers";

const STACK_A = `TypeError: Cannot read properties of undefined (reading 'x')
    at Object.handler (/home/<home>/app/lib/server.js:10:5)
    at run (/opt/app/node_modules/router/index.js:211:13)
    at node:internal/process/task_queues:95:5`;
// Same crash one release later: other line numbers and install path, same frames.
const STACK_B = STACK_A.replace(":10:5", ":12:7").replace("/opt/app", "/srv/other").replace("211:13", "215:1");

function fact(key: string, value: string, kind: "feature" | "recurring" = "feature") {
  return { id: uuid(), kind, key, value, collectedAt: 1_700_000_000_000 };
}
function exception(message: string, stack = STACK_A) {
  return { id: uuid(), type: "TypeError", message, stack, collectedAt: 1_700_000_000_000 };
}

describe("facts and exceptions on POST /v1/ping", () => {
  it("stores facts and exceptions linked to the instance; admin reads them back", async () => {
    const id = uuid();
    const facts = [fact("feature.sso", "on"), fact("users.bucket", "10-50", "recurring")];
    const res = await post("/v1/ping", {
      instanceId: id,
      product: "ferretdb",
      version: "2.1.0",
      facts,
      exceptions: [exception("boom")],
    });
    expect(res.status).toBe(200);
    pingResponse.parse(await res.json());

    const f = await admin(`/v1/admin/instances/${id}/facts`);
    expect(f.status).toBe(200);
    const fb = instanceFactsAnswer.parse(await f.json());
    expect(fb.instance.id).toBe(id);
    expect(fb.items.map((r) => r.id).sort()).toEqual(facts.map((r) => r.id).sort());
    expect(fb.items.find((r) => r.key === "users.bucket")).toMatchObject({
      kind: "recurring",
      value: "10-50",
      collected_at: new Date(1_700_000_000_000).toISOString(),
    });

    const e = await admin(`/v1/admin/instances/${id}/exceptions`);
    const eb = instanceExceptionsAnswer.parse(await e.json());
    expect(eb.instance.id).toBe(id);
    expect(eb.items).toHaveLength(1);
    expect(eb.items[0]).toMatchObject({ type: "TypeError", message: "boom", version: "2.1.0" });
    expect(eb.items[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(eb.groups).toEqual([expect.objectContaining({ type: "TypeError", count: 1 })]);
  });

  it("deduplicates records by client id: a retried ping stores each record once", async () => {
    const id = uuid();
    const body = { instanceId: id, product: "p-dedupe", facts: [fact("a", "1")], exceptions: [exception("x")] };
    expect((await post("/v1/ping", body, { "idempotency-key": "r1" })).status).toBe(200);
    expect((await post("/v1/ping", body, { "idempotency-key": "r1" })).status).toBe(200);
    // Even under a new key (a client that lost its key), the same record ids are not stored twice.
    expect((await post("/v1/ping", body, { "idempotency-key": "r2" })).status).toBe(200);
    expect(await count(`facts WHERE instance_id = '${id}'`)).toBe(1);
    expect(await count(`exceptions WHERE instance_id = '${id}'`)).toBe(1);
  });

  it("groups one crash reported on several days (other lines, other paths) under one fingerprint", async () => {
    const id = uuid();
    await post("/v1/ping", { instanceId: id, product: "p-group", exceptions: [exception("day 1", STACK_A)] });
    await post("/v1/ping", { instanceId: id, product: "p-group", exceptions: [exception("day 2", STACK_B)] });
    const other = STACK_A.replace("Object.handler", "Object.other");
    await post("/v1/ping", { instanceId: id, product: "p-group", exceptions: [exception("elsewhere", other)] });
    const eb = instanceExceptionsAnswer.parse(await (await admin(`/v1/admin/instances/${id}/exceptions`)).json());
    expect(eb.groups.map((g) => g.count).sort()).toEqual([1, 2]);
  });

  it("stores a full batch (more rows than one INSERT may bind) in one ping", async () => {
    const id = uuid();
    const facts = Array.from({ length: pingLimits.facts }, (_, i) => fact(`k${i}`, String(i)));
    const exceptions = Array.from({ length: pingLimits.exceptions }, (_, i) => exception(`e${i}`, "short"));
    expect((await post("/v1/ping", { instanceId: id, product: "p-many", facts, exceptions })).status).toBe(200);
    expect(await count(`facts WHERE instance_id = '${id}'`)).toBe(pingLimits.facts);
    expect(await count(`exceptions WHERE instance_id = '${id}'`)).toBe(pingLimits.exceptions);
  });

  it("rejects over-long arrays and bad records with 400 and stores nothing", async () => {
    const before = { facts: await count("facts"), exceptions: await count("exceptions"), pings: await count("pings") };
    const id = uuid();
    const cases: Array<[unknown, string]> = [
      [{ facts: Array.from({ length: pingLimits.facts + 1 }, (_, i) => fact(`k${i}`, "v")) }, "$.facts"],
      [{ exceptions: Array.from({ length: pingLimits.exceptions + 1 }, () => exception("m")) }, "$.exceptions"],
      [{ facts: [{ ...fact("k", "v"), id: "not-a-uuid" }] }, "$.facts[0].id"],
      [{ facts: [{ ...fact("k", "v"), kind: "string" }] }, "$.facts[0].kind"],
      [{ facts: [fact("k", "v".repeat(pingLimits.factValue + 1))] }, "$.facts[0].value"],
      [{ exceptions: [{ ...exception("m"), type: "" }] }, "$.exceptions[0].type"],
    ];
    for (const [extra, path] of cases) {
      const res = await post("/v1/ping", { instanceId: id, product: "p-bad", ...(extra as object) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; path: string } };
      expect(body.error).toMatchObject({ code: "invalid_field", path });
    }
    expect({ facts: await count("facts"), exceptions: await count("exceptions"), pings: await count("pings") }).toEqual(
      before,
    );
  });

  it("admin reads need the token and an existing instance; pages with a cursor", async () => {
    const id = uuid();
    expect(
      (
        await post("/v1/ping", {
          instanceId: id,
          product: "p-page",
          facts: [fact("a", "1"), fact("b", "2"), fact("c", "3")],
        })
      ).status,
    ).toBe(200);
    expect((await call(`/v1/admin/instances/${id}/facts`)).status).toBe(401);
    expect(await errorCode(await admin(`/v1/admin/instances/${uuid()}/facts`))).toBe("not_found");
    expect((await admin(`/v1/admin/instances/${uuid()}/exceptions`)).status).toBe(404);
    const p1 = instanceFactsAnswer.parse(await (await admin(`/v1/admin/instances/${id}/facts?limit=2`)).json());
    expect(p1.items).toHaveLength(2);
    const p2 = instanceFactsAnswer.parse(
      await (await admin(`/v1/admin/instances/${id}/facts?limit=2&cursor=${p1.next}`)).json(),
    );
    expect(p2.items).toHaveLength(1);
    expect(p2.next).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((f) => f.id)).size).toBe(3);
  });
});

describe("exception fingerprint source", () => {
  it("keeps function and file names, drops line numbers and directories", () => {
    expect(topFrames(STACK_A)).toEqual(["Object.handler (server.js)", "run (index.js)", "task_queues"]);
    expect(fingerprintSource("TypeError", STACK_A)).toBe(fingerprintSource("TypeError", STACK_B));
    expect(fingerprintSource("TypeError", STACK_A)).not.toBe(fingerprintSource("RangeError", STACK_A));
  });

  it("reads Firefox/Safari frames and keeps at most five", () => {
    const gecko = Array.from({ length: 8 }, (_, i) => `f${i}@https://host.example/assets/app.js:${i}:1`).join("\n");
    expect(topFrames(gecko)).toEqual(["f0 (app.js)", "f1 (app.js)", "f2 (app.js)", "f3 (app.js)", "f4 (app.js)"]);
    expect(topFrames(undefined)).toEqual([]);
  });

  it("the stored fingerprint is the SHA-256 of that source", async () => {
    const id = uuid();
    await post("/v1/ping", { instanceId: id, product: "p-fp", exceptions: [exception("m")] });
    const row = await env.DB.prepare("SELECT fingerprint FROM exceptions WHERE instance_id = ?")
      .bind(id)
      .first<{ fingerprint: string }>();
    const digest = await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(fingerprintSource("TypeError", STACK_A)),
    );
    expect(row!.fingerprint).toBe([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""));
  });
});

describe("a repeated Idempotency-Key stores nothing new", () => {
  it("records sent again under the same key are not stored, even with new ids", async () => {
    const id = uuid();
    const first = {
      instanceId: id,
      product: "ferretdb",
      version: "2.1.0",
      facts: [fact("a", "1")],
      exceptions: [exception("x")],
    };
    const a = pingResponse.parse(await (await post("/v1/ping", first, { "idempotency-key": "r-1" })).json());
    const again = { ...first, facts: [fact("b", "2"), ...first.facts], exceptions: [exception("y")] };
    const b = pingResponse.parse(await (await post("/v1/ping", again, { "idempotency-key": "r-1" })).json());
    expect(b.uuid).toBe(a.uuid);
    expect(await count(`facts WHERE instance_id = '${id}'`)).toBe(1);
    expect(await count(`exceptions WHERE instance_id = '${id}'`)).toBe(1);
    // a new key stores the new records; the already-stored fact id is not duplicated
    await post("/v1/ping", again, { "idempotency-key": "r-2" });
    expect(await count(`facts WHERE instance_id = '${id}'`)).toBe(2);
    expect(await count(`exceptions WHERE instance_id = '${id}'`)).toBe(2);
  });

  it("the most records a ping may carry are stored in one batch within D1's parameter limit", async () => {
    const id = uuid();
    const facts = Array.from({ length: pingLimits.facts }, (_, i) => fact(`k${i}`, "v".repeat(pingLimits.factValue)));
    const exceptions = Array.from({ length: pingLimits.exceptions }, (_, i) => exception(`m${i}`));
    const res = await post("/v1/ping", { instanceId: id, product: "ferretdb", facts, exceptions });
    expect(res.status).toBe(200);
    expect(await count(`facts WHERE instance_id = '${id}'`)).toBe(pingLimits.facts);
    expect(await count(`exceptions WHERE instance_id = '${id}'`)).toBe(pingLimits.exceptions);
  });
});
