import { describe, expect, it } from "vitest";
import { call, count, errorCode, post, uuid } from "./helpers";

const good = () => ({ instanceId: uuid(), product: "errs", version: "1.0.0" });

/** Runs `send` and asserts that no row was added to pings or instances. */
async function nothingStored(send: () => Promise<Response>): Promise<Response> {
  const before = [await count("pings"), await count("instances")];
  const res = await send();
  expect([await count("pings"), await count("instances")]).toEqual(before);
  return res;
}

describe("bad input: a clear 4xx with a stable code, nothing stored", () => {
  it("not JSON -> 400 invalid_json, without the parser's message", async () => {
    const res = await nothingStored(() =>
      call("/v1/ping", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_json");
    expect(body.error.message).not.toMatch(/position|token|Unexpected/i);
  });

  it("invalid UTF-8 -> 400 invalid_json", async () => {
    const res = await nothingStored(() =>
      call("/v1/ping", { method: "POST", body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }),
    );
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalid_json");
  });

  it.each([
    [{ product: "x" }, "$.instanceId"],
    [{ instanceId: "not-a-uuid" }, "$.instanceId"],
    [
      { instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b", platform: { counts: { users: -1 } } },
      "$.platform.counts.users",
    ],
    [
      { instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b", platform: { counts: { users: 1.5 } } },
      "$.platform.counts.users",
    ],
    [{ instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b", os: { type: 5 } }, "$.os.type"],
    [{ instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b", product: "Bad Product!" }, "$.product"],
    [{ instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b", uptime: -3 }, "$.uptime"],
    [
      {
        instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b",
        platform: { config: { a: { b: { c: { d: { e: true } } } } } },
      },
      "$.platform.config.a.b.c.d",
    ],
    [
      { instanceId: "5db51f99-c6fb-4340-9c19-78adce58cc1b", platform: { config: { s: "x".repeat(129) } } },
      "$.platform.config.s",
    ],
    [[1, 2], "$"],
  ])("field error %# -> 400 invalid_field at %s", async (body, path) => {
    const res = await nothingStored(() => post("/v1/ping", body));
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; path: string } };
    expect(json.error).toMatchObject({ code: "invalid_field", path });
  });

  it("too many config keys in all -> invalid_field", async () => {
    const config = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [
        `k${i}`,
        Object.fromEntries(Array.from({ length: 4 }, (_, j) => [`f${j}`, true])),
      ]),
    );
    const res = await nothingStored(() => post("/v1/ping", { ...good(), platform: { config } }));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalid_field");
  });

  it("body over 64 KiB with Content-Length -> 413", async () => {
    const res = await nothingStored(() => post("/v1/ping", { ...good(), pad: "x".repeat(70 * 1024) }));
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe("payload_too_large");
  });

  it("body over 64 KiB streamed without Content-Length -> 413", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await nothingStored(() =>
      call("/v1/ping", { method: "POST", headers: { "content-type": "application/json" }, body: stream }),
    );
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe("payload_too_large");
  });

  it("a body just under the limit is read whole", async () => {
    const body = JSON.stringify({ ...good(), pad: "" });
    const padded = body.replace('"pad":""', `"pad":"${"x".repeat(64 * 1024 - body.length - 1)}"`);
    const res = await call("/v1/ping", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: padded,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ignored: string[] }).ignored).toEqual(["pad"]);
  });

  it("other content types -> 415", async () => {
    const res = await nothingStored(() =>
      call("/v1/ping", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "a=b",
      }),
    );
    expect(res.status).toBe(415);
    expect(await errorCode(res)).toBe("unsupported_media_type");
  });

  it("text/plain JSON is accepted", async () => {
    const res = await call("/v1/ping", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(good()),
    });
    expect(res.status).toBe(200);
  });

  it("wrong method -> 405 with Allow", async () => {
    const res = await call("/v1/ping", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await errorCode(res)).toBe("method_not_allowed");
  });

  it("unknown route -> 404 JSON", async () => {
    const res = await call("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await errorCode(res)).toBe("not_found");
  });

  it("bad Idempotency-Key -> 400 invalid_header", async () => {
    const res = await nothingStored(() => post("/v1/ping", good(), { "idempotency-key": "x".repeat(201) }));
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalid_header");
  });
});
