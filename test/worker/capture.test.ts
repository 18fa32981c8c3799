import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import fixture from "../fixtures/posthog-batch.json";
import { captureResponse } from "../../schema/wire/capture";
import { call, count, errorCode, uuid } from "./helpers";

const TOKEN = "phc_candor_dev";

async function gzip(text: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}
function event(name = "$pageview", props: Record<string, unknown> = {}) {
  return {
    uuid: uuid(),
    event: name,
    timestamp: new Date().toISOString(),
    properties: { distinct_id: "d1", token: TOKEN, $pathname: "/p", ...props },
  };
}
function batch(events: unknown[], token: string = TOKEN) {
  return { api_key: token, batch: events, sent_at: new Date().toISOString() };
}
function send(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return call(path, { method: "POST", headers, body });
}
async function ok(res: Response) {
  expect(res.status).toBe(200);
  return captureResponse.parse(await res.json());
}
async function stored(id: string) {
  return env.DB.prepare("SELECT * FROM events WHERE uuid = ?").bind(id).first<Record<string, unknown>>();
}

describe("capture: every encoding posthog-js sends", () => {
  it("raw gzip as text/plain, no Content-Encoding (magic-byte sniff), as posthog-js sends it", async () => {
    const e = event();
    const res = await send("/e/?ip=0&_=1700000000000&ver=1.449.2", await gzip(JSON.stringify(batch([e]))), {
      "content-type": "text/plain",
    });
    expect(await ok(res)).toEqual({ status: 1, accepted: 1, duplicates: 0, rejected: [] });
    expect(await stored(e.uuid)).toMatchObject({ event: "$pageview", product: "flowforge", path: "/p" });
  });

  it("Content-Encoding: gzip with JSON (posthog-js-lite)", async () => {
    const e = event();
    const res = await send("/batch/", await gzip(JSON.stringify(batch([e]))), {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect((await ok(res)).accepted).toBe(1);
    expect(await stored(e.uuid)).not.toBeNull();
  });

  it("plain application/json", async () => {
    const e = event();
    const res = await send("/i/v0/e/", JSON.stringify(batch([e])), { "content-type": "application/json" });
    expect((await ok(res)).accepted).toBe(1);
  });

  it("?compression=base64 with a form body data=<urlencoded base64> (unload beacon)", async () => {
    const e = event("$pageleave");
    const form = "data=" + encodeURIComponent(base64(JSON.stringify(batch([e]))));
    const res = await send("/e/?compression=base64&beacon=1", form, {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect((await ok(res)).accepted).toBe(1);
    expect(await stored(e.uuid)).toMatchObject({ event: "$pageleave" });
  });

  it("a form body without the query hint (older clients): base64 or plain JSON in `data`", async () => {
    const a = event();
    const b = event();
    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect(
      (await ok(await send("/e/", "data=" + encodeURIComponent(base64(JSON.stringify(batch([a])))), form))).accepted,
    ).toBe(1);
    expect((await ok(await send("/e/", "data=" + encodeURIComponent(JSON.stringify(batch([b]))), form))).accepted).toBe(
      1,
    );
  });

  it("?compression=gzip-js (legacy hint) with raw gzip", async () => {
    const res = await send("/capture?compression=gzip-js", await gzip(JSON.stringify(batch([event()]))), {
      "content-type": "text/plain",
    });
    expect((await ok(res)).accepted).toBe(1);
  });

  it.each(["/e", "/e/", "/i/v0/e", "/i/v0/e/", "/batch", "/batch/", "/capture", "/capture/", "/track/"])(
    "route %s",
    async (path) => {
      expect((await ok(await send(path, JSON.stringify(batch([event()]))))).accepted).toBe(1);
    },
  );
});

describe("capture: body forms", () => {
  it("the real posthog-js batch fixture", async () => {
    const body = {
      ...fixture,
      api_key: TOKEN,
      batch: fixture.batch.map((e) => ({ ...e, uuid: uuid(), properties: { ...e.properties, token: TOKEN } })),
    };
    expect(
      (await ok(await send("/e/", await gzip(JSON.stringify(body)), { "content-type": "text/plain" }))).accepted,
    ).toBe(1);
  });

  it("a bare array of events (token from properties)", async () => {
    expect((await ok(await send("/e/", JSON.stringify([event(), event()])))).accepted).toBe(2);
  });

  it("a single event object (older clients)", async () => {
    const e = event("signup_clicked");
    expect((await ok(await send("/e/", JSON.stringify({ ...e, api_key: TOKEN })))).accepted).toBe(1);
    expect(await stored(e.uuid)).toMatchObject({ event: "signup_clicked" });
  });
});

describe("capture: dedupe", () => {
  it("a retried batch (same uuids) stores nothing twice and counts duplicates", async () => {
    const events = [event(), event(), event()];
    const body = await gzip(JSON.stringify(batch(events)));
    expect(await ok(await send("/e/", body))).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(await ok(await send("/e/?retry_count=1", body))).toMatchObject({ accepted: 0, duplicates: 3 });
    const ids = events.map((e) => `'${e.uuid}'`).join(",");
    expect(await count(`events WHERE uuid IN (${ids})`)).toBe(3);
  });

  it("the same uuid twice in one batch is stored once", async () => {
    const e = event();
    expect(await ok(await send("/e/", JSON.stringify(batch([e, e]))))).toMatchObject({ accepted: 1, duplicates: 1 });
  });
});

describe("capture: per-event validation", () => {
  it("keeps the valid events and names each rejected one", async () => {
    const good = event();
    const noUuid = { event: "$pageview", properties: {} };
    const noEvent = { uuid: uuid(), properties: {} };
    const bad = [
      noUuid,
      noEvent,
      { ...event(), uuid: "nope" },
      event("$autocapture"),
      event("bad name!"),
      event("x".repeat(121)),
      "str",
      { ...event(), properties: { token: "phc_other" } },
    ];
    const res = await ok(await send("/e/", JSON.stringify(batch([good, ...bad]))));
    expect(res.accepted).toBe(1);
    expect(res.rejected).toEqual([
      { index: 1, reason: "missing_uuid" },
      { index: 2, reason: "missing_event" },
      { index: 3, reason: "invalid_uuid" },
      { index: 4, reason: "event_not_allowed" },
      { index: 5, reason: "invalid_event_name" },
      { index: 6, reason: "invalid_event_name" },
      { index: 7, reason: "not_an_object" },
      { index: 8, reason: "token_mismatch" },
    ]);
  });

  it("accepts a custom event name of exactly 120 characters", async () => {
    expect((await ok(await send("/e/", JSON.stringify(batch([event("a".repeat(120))]))))).accepted).toBe(1);
  });
});

describe("capture: bad input and limits", () => {
  it.each([
    [
      "malformed gzip",
      () => send("/e/", new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6]), { "content-type": "text/plain" }),
      400,
      "invalid_encoding",
    ],
    [
      "Content-Encoding gzip that is not gzip",
      () => send("/e/", "{}", { "content-encoding": "gzip" }),
      400,
      "invalid_encoding",
    ],
    [
      "bad base64",
      () =>
        send("/e/?compression=base64", "data=%%%not-base64%%%", {
          "content-type": "application/x-www-form-urlencoded",
        }),
      400,
      "invalid_encoding",
    ],
    ["bad JSON", () => send("/e/", "{nope", { "content-type": "text/plain" }), 400, "invalid_json"],
    ["empty body", () => send("/e/", ""), 400, "invalid_json"],
    ["a number", () => send("/e/", "42"), 400, "invalid_field"],
    ["batch not an array", () => send("/e/", JSON.stringify({ api_key: TOKEN, batch: 1 })), 400, "invalid_field"],
    ["unknown Content-Encoding", () => send("/e/", "{}", { "content-encoding": "br" }), 415, "unsupported_media_type"],
  ])("%s -> %i %s", async (_n, go, status, code) => {
    const res = await go();
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
  });

  it("body over 1 MiB -> 413", async () => {
    const res = await send("/e/", JSON.stringify(batch([event("$pageview", { pad: "x".repeat(1024 * 1024) })])));
    expect(res.status).toBe(413);
  });

  it("more than 1,000 events -> 413, nothing stored", async () => {
    const before = await count("events");
    const events = Array.from({ length: 1001 }, () => ({ uuid: uuid(), event: "e", properties: {} }));
    const res = await send("/e/", await gzip(JSON.stringify(batch(events))));
    expect(res.status).toBe(413);
    expect(await count("events")).toBe(before);
  });

  it("1,000 events in one request are all stored (two json_each statements of 500 rows)", async () => {
    const events = Array.from({ length: 1000 }, () => event("bulk_event"));
    expect((await ok(await send("/e/", await gzip(JSON.stringify(batch(events)))))).accepted).toBe(1000);
  });

  it("a gzip bomb is refused 413 while inflating, before its (corrupt) end is reached", async () => {
    // 64 MiB of zeros inflate from ~64 KB; the CRC at the end is broken on purpose. Inflating
    // it all would end in a gzip error (400); stopping at 8 MiB answers 413.
    const bomb = await gzip(new Uint8Array(64 * 1024 * 1024));
    bomb[bomb.length - 8]! ^= 0xff;
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await send("/e/", bomb, { "content-type": "text/plain" });
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe("payload_too_large");
  });

  it("the same corrupt stream under the limit is a 400 (the bomb test can fail)", async () => {
    const small = await gzip(JSON.stringify(batch([event()])));
    small[small.length - 8]! ^= 0xff;
    expect((await send("/e/", small, { "content-type": "text/plain" })).status).toBe(400);
  });
});

describe("capture: tokens", () => {
  it("unknown api_key -> 401, nothing stored", async () => {
    const e = event("$pageview", { token: "phc_unknown" });
    const res = await send("/e/", JSON.stringify(batch([e], "phc_unknown")));
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("unauthorized");
    expect(await stored(e.uuid)).toBeNull();
  });

  it("no token anywhere -> 401", async () => {
    const res = await send("/e/", JSON.stringify([{ uuid: uuid(), event: "$pageview", properties: {} }]));
    expect(res.status).toBe(401);
  });
});
