import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { call, dumpDatabase, errorCode } from "./helpers";
import { FLOWFUSE, VIGILANT, envelope, fixture, gzip, nodePost, pythonPost, text } from "./sentryHelpers";

const event = {
  event_id: "0123456789abcdef0123456789abcdef",
  level: "error",
  exception: { values: [{ type: "E", value: "x" }] },
};
const ok = envelope({}, [[{ type: "event" }, event]]);

/** Each hostile request: its expected status and code; none may leave a row. */
const hostile: Array<[string, () => Promise<Response>, number, string]> = [
  [
    "an unknown sentry_key",
    () => nodePost(ok, { ...VIGILANT, key: "0000000000000000000000000000dead" }),
    401,
    "unauthorized",
  ],
  ["a key of another project", () => nodePost(ok, { ...VIGILANT, key: FLOWFUSE.key }), 401, "unauthorized"],
  ["an unknown project", () => nodePost(ok, { ...VIGILANT, project: "999" }), 401, "unauthorized"],
  [
    "no sentry_key at all",
    () => call(`/api/${VIGILANT.project}/envelope/`, { method: "POST", body: ok }),
    401,
    "unauthorized",
  ],
  [
    "an envelope header that is not JSON",
    () => nodePost(text('{"event_id": \n{"type":"event"}\n{}')),
    400,
    "invalid_envelope",
  ],
  ["an item header that is not JSON", () => nodePost(text("{}\nnot json\n{}")), 400, "invalid_envelope"],
  ["an item header without a type", () => nodePost(text('{}\n{"length":2}\n{}')), 400, "invalid_envelope"],
  [
    "an item length past the end",
    () => nodePost(text('{}\n{"type":"event","length":5000}\n{"event_id":"x"}')),
    400,
    "invalid_envelope",
  ],
  [
    "an item payload longer than its length",
    () => nodePost(text('{}\n{"type":"session","length":2}\n{"sid":"a"}')),
    400,
    "invalid_envelope",
  ],
  ["a negative length", () => nodePost(text('{}\n{"type":"event","length":-1}\n{}')), 400, "invalid_envelope"],
  [
    "an event item that is not JSON",
    () => nodePost(text('{}\n{"type":"event"}\n{"exception": [')),
    400,
    "invalid_json",
  ],
  [
    "an event field of the wrong type",
    () =>
      nodePost(
        envelope({}, [
          [{ type: "session" }, { sid: "s" }],
          [{ type: "event" }, { exception: { values: "x" } }],
        ]),
      ),
    400,
    "invalid_field",
  ],
  [
    "a store body that is not JSON",
    () => pythonPost("store", text("{nope"), VIGILANT, { "content-encoding": "" }),
    400,
    "invalid_json",
  ],
  ["gzip that is not gzip", () => pythonPost("store", text("\x1f\x8bnot gzip"), VIGILANT), 400, "invalid_encoding"],
  [
    "another Content-Encoding",
    () => pythonPost("store", text("{}"), VIGILANT, { "content-encoding": "br" }),
    415,
    "unsupported_media_type",
  ],
  [
    "another Content-Type",
    () => pythonPost("store", text("{}"), VIGILANT, { "content-encoding": "", "content-type": "application/xml" }),
    415,
    "unsupported_media_type",
  ],
];

describe("hostile Sentry requests: a clear 4xx with a stable code, never a 5xx, and no row", () => {
  it.each(hostile)("%s", async (_, send, status, code) => {
    const before = await dumpDatabase();
    const res = await send();
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
    expect(await dumpDatabase()).toBe(before);
  });

  it("a gzip bomb is refused while inflating (413), with or without Content-Encoding", async () => {
    const bomb = await gzip(new Uint8Array(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 KiB of gzip
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = await dumpDatabase();
    for (const res of [await pythonPost("store", bomb), await nodePost(bomb)]) {
      expect(res.status).toBe(413);
      expect(await errorCode(res)).toBe("payload_too_large");
    }
    expect(await dumpDatabase()).toBe(before);
  });

  it("a body over 1 MiB is refused while reading, chunked (no Content-Length) or declared", async () => {
    const big = new Uint8Array(1024 * 1024 + 1).fill(0x20);
    const before = await dumpDatabase();
    const chunkedRes = await nodePost(big);
    expect(chunkedRes.status).toBe(413);
    const declared = await pythonPost("envelope", big, VIGILANT, { "content-encoding": "" });
    expect(declared.status).toBe(413);
    expect(await dumpDatabase()).toBe(before);
  });

  it("more than 100 items is refused whole (413)", async () => {
    const items: Array<[object, object]> = Array.from({ length: 101 }, (_, i) => [
      { type: "session" },
      { sid: `s${i}` },
    ]);
    const res = await nodePost(envelope({}, items));
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe("payload_too_large");
  });

  it("a bad item after good ones leaves no row of the good ones either", async () => {
    const session = { sid: "good", status: "ok", attrs: { release: "1.0.0" } };
    const bad = envelope({}, [
      [{ type: "session" }, session],
      [{ type: "event" }, event],
      [{ type: "event", length: 999 }, "{}"],
    ]);
    const before = await dumpDatabase();
    expect((await nodePost(bad)).status).toBe(400);
    expect(await dumpDatabase()).toBe(before);
  });

  it("a well-formed request after all that is stored (the checks above were not vacuous)", async () => {
    const before = await dumpDatabase();
    expect((await nodePost(ok)).status).toBe(200);
    expect(await dumpDatabase()).not.toBe(before);
    // The Python fixture with a length one byte short is refused.
    const sessions = new TextDecoder().decode(fixture("sentry-python-1.9.10-envelope-sessions.envelope"));
    const broken = text(sessions.replace('"length":124', '"length":123'));
    expect((await pythonPost("envelope", await gzip(broken))).status).toBe(400);
  });
});

describe("Candor's rate limit on the Sentry routes speaks the SDKs' language", () => {
  it("429 with Retry-After and X-Sentry-Rate-Limits (every category), before the body is read; nothing stored", async () => {
    const refusing: RateLimit = { limit: async () => ({ success: false }) };
    const limitedEnv = { ...env, PROTOCOL_LIMITER: refusing } as Env;
    const before = await dumpDatabase();
    for (const route of ["store", "envelope"]) {
      let pulled = false;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulled = true;
            controller.enqueue(ok);
            controller.close();
          },
        },
        { highWaterMark: 0 },
      ); // pulled only when someone reads
      const request = new Request<unknown, IncomingRequestCfProperties>(
        `https://candor.test/api/${VIGILANT.project}/${route}/?sentry_key=${VIGILANT.key}`,
        { method: "POST", headers: { "cf-connecting-ip": "198.51.100.66" }, body },
      );
      const res = await worker.fetch(request, limitedEnv, createExecutionContext());
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("60");
      expect(res.headers.get("x-sentry-rate-limits")).toBe("60::organization");
      expect(await errorCode(res)).toBe("rate_limited");
      expect(pulled).toBe(false);
    }
    expect(await dumpDatabase()).toBe(before);
  });
});
