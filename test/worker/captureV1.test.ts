import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import fixture from "../fixtures/posthog-node-v1.json";
import { captureResponse } from "../../schema/wire/capture";
import { call, count, dumpDatabase, errorCode, uuid } from "./helpers";

/**
 * posthog-node's Capture V1 (POSTHOG_CAPTURE_MODE=v1): the fixture is a request captured from
 * posthog-node 5.70.0 (headers and decompressed body); it is sent gzipped, as the client does.
 */
const PATH = "/i/v1/analytics/events";

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
async function send(body: unknown, headers: Record<string, string> = fixture.headers, path = PATH) {
  return call(path, { method: "POST", headers, body: await gzip(JSON.stringify(body)) });
}
async function ok(res: Response) {
  expect(res.status).toBe(200);
  return captureResponse.parse(await res.json());
}
async function stored(id: string) {
  return env.DB.prepare("SELECT * FROM events WHERE uuid = ?").bind(id).first<Record<string, unknown>>();
}
/** A v1 event as posthog-node builds it (transform.ts buildV1Event), with a fresh uuid. */
function v1Event(event: string, extra: Record<string, unknown> = {}) {
  return {
    event,
    uuid: uuid(),
    distinct_id: "server-1",
    timestamp: new Date().toISOString(),
    options: {},
    properties: { $is_server: true, $geoip_disable: true },
    ...extra,
  };
}
const batch = (events: unknown[]) => ({ created_at: new Date().toISOString(), batch: events });

describe("POST /i/v1/analytics/events (posthog-node, POSTHOG_CAPTURE_MODE=v1)", () => {
  it("accepts the captured request: token from the Bearer header, session and lib put back", async () => {
    const [job, view] = fixture.body.batch;
    expect(await ok(await send(fixture.body))).toEqual({ status: 1, accepted: 2, duplicates: 0, rejected: [] });
    expect(await stored(job!.uuid)).toMatchObject({
      event: "job_finished",
      product: "flowforge",
      distinct_id: "server-1",
      session_id: "sess-1",
      lib: "posthog-node",
      lib_version: "5.70.0",
      timestamp: Date.parse(job!.timestamp),
    });
    expect(await stored(view!.uuid)).toMatchObject({ event: "$pageview", path: "/flows", session_id: null });
    // Nothing of the transport is kept: no header value, no server flag, no query string.
    const dump = await dumpDatabase();
    for (const secret of [fixture.headers["posthog-request-id"], "$is_server", "$geoip_disable", "id=1"]) {
      expect(dump).not.toContain(secret);
    }
  });

  it("dedupes by uuid: posthog-node's retry of the same batch stores nothing twice", async () => {
    const before = await count("events");
    const retry = { ...fixture.headers, "posthog-attempt": "2" };
    expect(await ok(await send(fixture.body, retry))).toEqual({ status: 1, accepted: 0, duplicates: 2, rejected: [] });
    expect(await count("events")).toBe(before);
  });

  it("the same rules as the other capture routes: per-event rejections, token mismatch", async () => {
    const good = v1Event("deploy_done", { session_id: "s-2" });
    const events = [
      good,
      v1Event("$identify"),
      { ...v1Event("x"), uuid: "not-a-uuid" },
      v1Event("other_project", { properties: { token: "phc_someone_else" } }),
      "not an event",
    ];
    expect(await ok(await send(batch(events)))).toEqual({
      status: 1,
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, reason: "event_not_allowed" },
        { index: 2, reason: "invalid_uuid" },
        { index: 3, reason: "token_mismatch" },
        { index: 4, reason: "not_an_object" },
      ],
    });
    expect(await stored(good.uuid)).toMatchObject({ session_id: "s-2", lib: "posthog-node" });
  });

  it("an event's own $lib wins over PostHog-Sdk-Info; a trailing slash is the same route", async () => {
    const e = v1Event("custom_lib", { properties: { $lib: "my-wrapper", $lib_version: "2.0.0" } });
    expect((await ok(await send(batch([e]), fixture.headers, `${PATH}/`))).accepted).toBe(1);
    expect(await stored(e.uuid)).toMatchObject({ lib: "my-wrapper", lib_version: "2.0.0" });
  });

  it("401 without a Bearer key or with an unknown one, and nothing is stored", async () => {
    const before = await count("events");
    const { authorization: _drop, ...anonymous } = fixture.headers;
    const e = v1Event("no_key");
    for (const headers of [anonymous, { ...fixture.headers, authorization: "Bearer phc_unknown" }]) {
      const res = await send(batch([e]), headers);
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe("unauthorized");
    }
    expect(await count("events")).toBe(before);
  });

  it("bad bodies get the capture answers: 400 invalid_field / invalid_encoding, 413", async () => {
    expect(await errorCode(await send({ batch: "nope" }))).toBe("invalid_field");
    const raw = await call(PATH, { method: "POST", headers: fixture.headers, body: "not gzip at all" });
    expect(raw.status).toBe(400);
    expect(await errorCode(raw)).toBe("invalid_encoding");
    const many = batch(Array.from({ length: 1001 }, () => v1Event("e")));
    expect((await send(many)).status).toBe(413);
  });
});
