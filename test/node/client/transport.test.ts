import { afterEach, describe, expect, it } from "vitest";
import { forgetRemote, retryAfterMs, sendPing } from "../../../client/node/report/transport.ts";
import { deadEndpoint, localServer, pingAnswer } from "./helpers.ts";

const payload = { instanceId: "6f1c2a4e-8b9d-4e2f-a1b3-c5d7e9f01234", product: "demo" };
const noWait = { sleep: async () => {} };
const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => void (await Promise.all(servers.splice(0).map((s) => s.close()))));

describe("transport", () => {
  it("POSTs <endpoint>/v1/ping as JSON with the Idempotency-Key; 200 with a valid answer is success", async () => {
    const answer = pingAnswer();
    const s = await localServer(() => ({ status: 200, body: answer }));
    servers.push(s);
    const out = await sendPing(`${s.url}/`, payload, "key-1", noWait);
    expect(out).toEqual({ ok: true, status: 200, answer });
    expect(s.received).toHaveLength(1);
    expect(s.received[0]).toMatchObject({ method: "POST", url: "/v1/ping" });
    expect(s.received[0]!.headers["idempotency-key"]).toBe("key-1");
    expect(s.received[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(s.received[0]!.body)).toEqual(payload);
  });

  it("retries 5xx with backoff, resending the same Idempotency-Key", async () => {
    const s = await localServer((_, n) => (n < 3 ? { status: 503, body: {} } : { status: 200, body: pingAnswer() }));
    servers.push(s);
    const waits: number[] = [];
    const out = await sendPing(s.url, payload, "key-2", { backoffMs: 1000, sleep: async (ms) => void waits.push(ms) });
    expect(out.ok).toBe(true);
    expect(s.received.map((r) => r.headers["idempotency-key"])).toEqual(["key-2", "key-2", "key-2"]);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(750);
    expect(waits[0]).toBeLessThanOrEqual(1250);
    expect(waits[1]).toBeGreaterThanOrEqual(1500);
    expect(waits[1]).toBeLessThanOrEqual(2500);
  });

  it("gives up after the attempts, retryable, without throwing", async () => {
    const s = await localServer(() => ({ status: 500 }));
    servers.push(s);
    expect(await sendPing(s.url, payload, "k", { attempts: 4, ...noWait })).toEqual({
      ok: false,
      status: null,
      retryable: true,
      error: "HTTP 500",
    });
    expect(s.received).toHaveLength(4);
  });

  it("does not retry a 4xx; only 400/413/422 are final, any other (429, a proxy's 401/403/404/408) stays retryable for a later run", async () => {
    for (const status of [400, 413, 422, 429, 401, 403, 404, 408]) {
      const s = await localServer(() => ({ status, body: {} }));
      servers.push(s);
      expect(await sendPing(s.url, payload, "k", noWait)).toMatchObject({
        ok: false,
        status,
        retryable: ![400, 413, 422].includes(status),
      });
      expect(s.received).toHaveLength(1);
    }
  });

  it("honours Retry-After on a 5xx: waits at least that long; one beyond the cap ends the attempts (kept for later)", async () => {
    const s = await localServer((_, n) =>
      n === 1 ? { status: 503, body: {}, headers: { "retry-after": "7" } } : { status: 200, body: pingAnswer() },
    );
    servers.push(s);
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    expect(await sendPing(s.url, payload, "k", { backoffMs: 1000, sleep })).toMatchObject({ ok: true });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(7000);
    const far = await localServer(() => ({ status: 503, body: {}, headers: { "retry-after": "3600" } }));
    servers.push(far);
    const out = await sendPing(far.url, payload, "k", { attempts: 5, retryAfterCapMs: 30_000, sleep });
    expect(out).toMatchObject({ ok: false, status: null, retryable: true });
    expect(out.ok === false && out.error).toContain("Retry-After 3600 s");
    expect(far.received).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(retryAfterMs("120")).toBe(120_000);
    expect(retryAfterMs(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(58_000);
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("network errors, dropped connections and timeouts are retried and never thrown", async () => {
    const dead = await sendPing(await deadEndpoint(), payload, "k", noWait);
    expect(dead).toMatchObject({ ok: false, status: null, retryable: true });
    const dropping = await localServer(() => "drop");
    const hanging = await localServer(() => "hang");
    servers.push(dropping, hanging);
    expect(await sendPing(dropping.url, payload, "k", noWait)).toMatchObject({ ok: false, retryable: true });
    expect(dropping.received).toHaveLength(3);
    const slow = await sendPing(hanging.url, payload, "k", { timeoutMs: 100, attempts: 2, ...noWait });
    expect(slow).toMatchObject({ ok: false, retryable: true });
    expect(slow.ok === false && slow.error).toMatch(/did not answer \(no answer within/);
    expect(hanging.received).toHaveLength(2);
  });

  it("a 200 whose body is not a ping answer is not success", async () => {
    const s = await localServer(() => ({ status: 200, body: { hello: "world" } }));
    servers.push(s);
    expect(await sendPing(s.url, payload, "k", noWait)).toMatchObject({ ok: false, status: 200, retryable: true });
  });

  it("forgetRemote sends DELETE /v1/instances/<id> and accepts 204", async () => {
    const s = await localServer(() => ({ status: 204 }));
    servers.push(s);
    expect(await forgetRemote(s.url, payload.instanceId, noWait)).toEqual({ ok: true });
    expect(s.received[0]).toMatchObject({ method: "DELETE", url: `/v1/instances/${payload.instanceId}` });
    expect(await forgetRemote(await deadEndpoint(), payload.instanceId, noWait)).toMatchObject({ ok: false });
  });
});
