import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sentryAnswer } from "../../schema";
import { count, dumpDatabase } from "./helpers";
import {
  FLOWFUSE,
  VIGILANT,
  VIGILANT_INSTANCE,
  fixture,
  gzip,
  nodePost,
  pythonPost,
  rows,
  text,
} from "./sentryHelpers";

/** Every recorded request, sent the way its SDK sends it. */
const requests: Array<[string, () => Promise<Response>]> = [
  [
    "python store message (gzip)",
    () => pythonPost("store", fixture("sentry-python-1.9.10-store-message-start-watch.json.gz")),
  ],
  [
    "python store exception (gzip)",
    () => pythonPost("store", fixture("sentry-python-1.9.10-store-exception-excepthook.json.gz")),
  ],
  [
    "python envelope sessions (gzip)",
    () => pythonPost("envelope", fixture("sentry-python-1.9.10-envelope-sessions.envelope.gz")),
  ],
  ["node vigilant session", () => nodePost(fixture("sentry-node-10.78.0-vigilant-01-session-init.envelope"))],
  [
    "node vigilant handled exception",
    () => nodePost(fixture("sentry-node-10.78.0-vigilant-06-event-handled-exception.envelope")),
  ],
  ["node flowfuse session", () => nodePost(fixture("sentry-node-10.78.0-flowfuse-01-session.envelope"), FLOWFUSE)],
];

describe("Sentry SDKs report to Candor unchanged: recorded bytes", () => {
  it.each(requests)("%s -> 200 {id}", async (_, send) => {
    const res = await send();
    expect(res.status).toBe(200);
    expect(sentryAnswer.safeParse(await res.json()).success).toBe(true);
  });

  it("answers the event's own id (32 hex), and null for envelopes without an event", async () => {
    const store = await pythonPost("store", fixture("sentry-python-1.9.10-store-message-start-watch.json.gz"));
    expect(await store.json()).toEqual({ id: "83dd93974d4347a9810717432d95096d" });
    const event = await nodePost(fixture("sentry-node-10.78.0-vigilant-06-event-handled-exception.envelope"));
    expect(await event.json()).toEqual({ id: "31b74c29cfa94f558e535758162a5c03" });
    const session = await nodePost(fixture("sentry-node-10.78.0-flowfuse-01-session.envelope"), FLOWFUSE);
    expect(await session.json()).toEqual({ id: null });
  });

  it("the sentry-python exception is an exception group: type, message, in-app frames, release, unhandled", async () => {
    const [e] = await rows<Record<string, unknown>>(
      "SELECT * FROM exceptions WHERE id = 'a1bf39e2-eee7-4d5d-a9cc-a141f485b037'",
    );
    expect(e).toMatchObject({
      instance_id: VIGILANT_INSTANCE,
      product: VIGILANT.product,
      type: "AttributeError",
      message: "'NoneType' object has no attribute 'get_spot_price'",
      stack: "    at place_order (vigilant_like.py:36)\n    at <module> (vigilant_like.py:43)",
      version: "5.4.0",
      handled: 0,
      fatal: 0,
    });
    expect(e!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(e!.collected_at).toBe(Date.parse("2026-11-30T13:11:31.526Z"));
  });

  it("the @sentry/node handled exception keeps only in-app frames (file base name, function, line, column)", async () => {
    const [e] = await rows<Record<string, unknown>>(
      "SELECT * FROM exceptions WHERE id = '31b74c29-cfa9-4f55-8e53-5758162a5c03'",
    );
    expect(e).toMatchObject({
      instance_id: VIGILANT_INSTANCE,
      type: "Error",
      message: "handled: exchange timeout",
      stack: "    at Timeout._onTimeout (vigilant-like.js:29:29)",
      version: "5.4.0",
      handled: 1,
      fatal: 0,
      collected_at: 1796044309685,
    });
  });

  it("an allow-listed message is a fact of the installation, which is seen (a sighting ping) on its release", async () => {
    const facts = await rows<Record<string, unknown>>("SELECT * FROM facts");
    expect(facts).toEqual([
      expect.objectContaining({
        id: "83dd9397-4d43-47a9-8107-17432d95096d",
        instance_id: VIGILANT_INSTANCE,
        kind: "recurring",
        key: "sentry.message",
        value: "Start watch",
      }),
    ]);
    const [instance] = await rows<Record<string, unknown>>(`SELECT * FROM instances`);
    expect(instance).toMatchObject({ id: VIGILANT_INSTANCE, product: VIGILANT.product, version: "5.4.0" });
    const pings = await rows<{ idempotency_key: string; version: string }>(
      "SELECT * FROM pings ORDER BY idempotency_key",
    );
    expect(pings.map((p) => p.idempotency_key)).toEqual([
      "sentry:event:31b74c29cfa94f558e535758162a5c03",
      "sentry:event:83dd93974d4347a9810717432d95096d",
      "sentry:event:a1bf39e2eee74d5da9cca141f485b037",
      "sentry:session:36f0807f7dc044c0bbc53bd56ff6e810",
    ]);
    expect(new Set(pings.map((p) => p.version))).toEqual(new Set(["5.4.0"]));
  });

  it("sessions count per release; a FlowFuse user hashid is no installation", async () => {
    const sessions = await rows<Record<string, unknown>>(
      "SELECT product, version, sessions, errored, crashed, abnormal FROM release_sessions ORDER BY product, sessions",
    );
    expect(sessions).toEqual([
      { product: "flowforge", version: "2.24.0", sessions: 1, errored: 1, crashed: 0, abnormal: 0 },
      { product: VIGILANT.product, version: "5.4.0", sessions: 1, errored: 0, crashed: 0, abnormal: 0 },
      { product: VIGILANT.product, version: "5.4.0", sessions: 2, errored: 0, crashed: 0, abnormal: 0 },
    ]);
    expect(await count("instances")).toBe(1);
    expect(await dumpDatabase()).not.toContain("p8Wq3Zk1");
  });

  it("replays (the same bytes again, gzip or plain) store nothing new", async () => {
    const before = await dumpDatabase();
    for (const [, send] of requests) expect((await send()).status).toBe(200);
    // The plain (decoded) bodies are the same events: nothing new either.
    const plain = fixture("sentry-python-1.9.10-store-exception-excepthook.json");
    expect((await pythonPost("store", plain, VIGILANT, { "content-encoding": "identity" })).status).toBe(200);
    expect(
      (await pythonPost("store", await gzip(fixture("sentry-python-1.9.10-store-message-start-watch.json")))).status,
    ).toBe(200);
    expect(
      (
        await nodePost(await gzip(fixture("sentry-node-10.78.0-vigilant-01-session-init.envelope")), VIGILANT, {
          "content-encoding": "gzip",
        })
      ).status,
    ).toBe(200);
    expect(await dumpDatabase()).toBe(before);
  });
});

describe("a keyed installation (registered installation key) is never touched through Sentry", () => {
  it("no sighting and no fact; its exceptions are kept without the installation", async () => {
    const id = "11111111-2222-4333-8444-555555555555";
    await env.DB.prepare(
      "INSERT INTO instances (id, product, first_seen, last_seen, ping_count, key_hash) VALUES (?, ?, 1, 1, 0, ?)",
    )
      .bind(id, VIGILANT.product, "ab".repeat(32))
      .run();
    const user = { id: id.replaceAll("-", "") };
    const message = { event_id: "aa".repeat(16), message: "Start watch", release: "5.4.0", user };
    const error = {
      event_id: "bb".repeat(16),
      release: "5.4.0",
      user,
      exception: { values: [{ type: "KeyedError" }] },
    };
    for (const e of [message, error]) {
      expect((await pythonPost("store", await gzip(text(JSON.stringify(e))))).status).toBe(200);
    }
    expect(await count(`pings WHERE instance_id = '${id}'`)).toBe(0);
    expect(await count(`facts WHERE instance_id = '${id}'`)).toBe(0);
    expect(await rows("SELECT instance_id, type FROM exceptions WHERE type = 'KeyedError'")).toEqual([
      { instance_id: null, type: "KeyedError" },
    ]);
    const [instance] = await rows<{ ping_count: number; version: string | null }>(
      `SELECT ping_count, version FROM instances WHERE id = '${id}'`,
    );
    expect(instance).toEqual({ ping_count: 0, version: null });
  });
});
