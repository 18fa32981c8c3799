import { describe, expect, it } from "vitest";
import { productOf, sentryKeyOf } from "../../worker/pipeline/sentry/auth";
import { parseEnvelope } from "../../worker/pipeline/sentry/envelope";
import { eventRecord, messageOf } from "../../worker/pipeline/sentry/event";
import { knownNames } from "../../worker/pipeline/sentry/knownNames";
import { clientTime, installationIdOf, label, versionOf } from "../../worker/pipeline/sentry/values";
import { aggregateRows, sessionRecord } from "../../worker/pipeline/sentry/sessions";
import { fixture, text } from "./sentryHelpers";

const NOW = Date.UTC(2026, 10, 30, 12);

describe("auth: sentry_key from X-Sentry-Auth or the query; project + key -> product", () => {
  it("reads the header (sentry-python), the Authorization form, and the query (@sentry/node)", () => {
    const q = new URLSearchParams();
    expect(sentryKeyOf("Sentry sentry_key=abc123, sentry_version=7, sentry_client=sentry.python/1.9.10", q)).toBe(
      "abc123",
    );
    expect(sentryKeyOf("sentry sentry_version=7,sentry_key=k2", q)).toBe("k2");
    expect(sentryKeyOf(null, new URLSearchParams("sentry_version=7&sentry_key=k3&sentry_client=x"))).toBe("k3");
    expect(sentryKeyOf("Bearer k4", q)).toBeNull();
    expect(sentryKeyOf(null, q)).toBeNull();
  });
  it("an unknown project, a missing key or another project's key is 401", () => {
    const projects = { "1": { product: "a", keys: ["k"] }, "2": { product: "b", keys: ["k2"] } };
    expect(productOf(projects, "1", "k")).toBe("a");
    for (const [p, k] of [
      ["3", "k"],
      ["1", null],
      ["1", "k2"],
      ["constructor", "k"],
      [undefined, "k"],
    ] as const) {
      expect(() => productOf(projects, p, k)).toThrow(expect.objectContaining({ status: 401, code: "unauthorized" }));
    }
  });
});

describe("user.id: an installation only when it is a UUID", () => {
  it.each([
    ["9b1f0c3e7d2a4f6b8e5c1a0d3f7b9e2c", "9b1f0c3e-7d2a-4f6b-8e5c-1a0d3f7b9e2c"], // uuid4().hex gets its dashes
    ["9B1F0C3E7D2A4F6B8E5C1A0D3F7B9E2C", "9b1f0c3e-7d2a-4f6b-8e5c-1a0d3f7b9e2c"],
    ["5db51f99-c6fb-4340-9c19-78adce58cc1b", "5db51f99-c6fb-4340-9c19-78adce58cc1b"],
    ["6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"], // a dashed v1 UUID
  ])("%s -> %s", (id, want) => expect(installationIdOf(id)).toBe(want));
  it.each([
    "p8Wq3Zk1", // a FlowFuse user hashid
    "alice",
    "alice@example.com",
    "Alice Example",
    "6ba7b8109dad11d180b400c04fd430c8", // 32 hex, but not a uuid4
    "00000000000000000000000000000000",
    "9b1f0c3e7d2a4f6b8e5c1a0d3f7b9e2", // 31 hex
    42,
    null,
  ])("%j -> no installation", (id) => expect(installationIdOf(id)).toBeNull());
});

describe("values", () => {
  it("release -> version", () => {
    expect(versionOf("flowfuse@2.24.0")).toBe("2.24.0");
    expect(versionOf("@scope/pkg@1.0.0-rc.1")).toBe("1.0.0-rc.1");
    expect(versionOf("5.4.0")).toBe("5.4.0");
    expect(versionOf("")).toBeNull();
    expect(versionOf(null)).toBeNull();
  });
  it("client-report labels come from Sentry's vocabularies; any other text is 'other'", () => {
    expect([label("Error", "category"), label("ratelimit_backoff", "reason")]).toEqual(["error", "ratelimit_backoff"]);
    expect([label("build-host.internal", "category"), label("alice@example.com", "reason")]).toEqual([
      "other",
      "other",
    ]);
  });
  it("client times: ISO with microseconds, epoch seconds, no zone, garbage; clamped to 2000..2100", () => {
    expect(clientTime("2026-11-30T13:11:31.526610Z", NOW)).toBe(Date.parse("2026-11-30T13:11:31.526Z"));
    expect(clientTime("2026-11-30T13:11:31", NOW)).toBe(Date.parse("2026-11-30T13:11:31Z"));
    expect(clientTime(1796044309.685, NOW)).toBe(1796044309685);
    expect(clientTime("yesterday", NOW)).toBe(NOW);
    expect(clientTime(undefined, NOW)).toBe(NOW);
    expect(clientTime(0, NOW)).toBe(Date.UTC(2000, 0, 1));
  });
});

describe("envelope framing on bytes", () => {
  it("a payload with `length` may hold newlines and any bytes; without it, it ends at the newline", () => {
    const binary = new Uint8Array([0x00, 0x0a, 0xff, 0x0a, 0x7b]);
    const head = text('{"event_id":"0123456789ABCDEF0123456789abcdef"}\n{"type":"attachment","length":5}\n');
    const tail = text('\n{"type":"session"}\n{"sid":"x"}');
    const bytes = new Uint8Array([...head, ...binary, ...tail]);
    const env = parseEnvelope(bytes);
    expect(env.eventId).toBe("0123456789abcdef0123456789abcdef");
    expect(env.items.map((i) => i.type)).toEqual(["attachment", "session"]);
    expect([...env.items[0]!.payload]).toEqual([...binary]);
    expect(new TextDecoder().decode(env.items[1]!.payload)).toBe('{"sid":"x"}');
  });
  it("the recorded envelopes: Python (length, trailing newline) and Node (no length, no trailing newline)", () => {
    const py = parseEnvelope(fixture("sentry-python-1.9.10-envelope-sessions.envelope"));
    expect(py.items.map((i) => [i.type, i.payload.length])).toEqual([["sessions", 124]]);
    const node = parseEnvelope(fixture("sentry-node-10.78.0-vigilant-06-event-handled-exception.envelope"));
    expect(node.eventId).toBe("31b74c29cfa94f558e535758162a5c03");
    expect(node.items.map((i) => i.type)).toEqual(["event"]);
    expect(parseEnvelope(text("{}")).items).toEqual([]);
    expect(parseEnvelope(text('{}\n{"type":"x","length":0}')).items[0]!.payload.length).toBe(0);
  });
});

describe("events", () => {
  const listed = ["Start watch", "Watching"];
  it("a message is a fact only when listed and the user is an installation", async () => {
    const user = { id: "9b1f0c3e7d2a4f6b8e5c1a0d3f7b9e2c" };
    const id = "0".repeat(32);
    expect((await eventRecord({ message: "Watching", user }, id, listed, NOW)).listedMessage).toBe("Watching");
    const other = await eventRecord({ message: "third message after 429", user }, id, listed, NOW);
    expect([other.listedMessage, other.dropped]).toEqual([null, ["message_not_listed"]]);
    const anon = await eventRecord({ message: "Watching", user: { id: "p8Wq3Zk1" } }, id, listed, NOW);
    expect([anon.listedMessage, anon.dropped]).toEqual([null, ["fact_without_installation"]]);
  });
  it("@sentry/node 11's synthetic exception on captureMessage is still a message; logentry works too", async () => {
    const synthetic = {
      message: "Watching",
      user: { id: "5db51f99-c6fb-4340-9c19-78adce58cc1b" },
      exception: { values: [{ type: "Error", value: "Watching", mechanism: { synthetic: true } }] },
    };
    const r = await eventRecord(synthetic, "0".repeat(32), listed, NOW);
    expect([r.exception, r.listedMessage]).toEqual([null, "Watching"]);
    expect(messageOf({ logentry: { formatted: "Start watch" } })).toBe("Start watch");
  });
  it("a fatal crash: the last exception value, in-app frames innermost first, file base name or module", async () => {
    const r = await eventRecord(
      {
        level: "fatal",
        release: "flowfuse@2.24.0",
        exception: {
          values: [
            { type: "Cause", value: "inner" },
            {
              type: "TypeError",
              value: "Cannot read properties of null (reading 'x') at /home/bob/app/lib/a.js",
              mechanism: { handled: false },
              stacktrace: {
                frames: [
                  { function: "main", filename: "/home/bob/app/index.js", lineno: 3, in_app: true },
                  { module: "timers", function: "listOnTimeout", lineno: 581, in_app: false },
                  { module: "lib:a", function: "place", lineno: 9, in_app: true },
                ],
              },
            },
          ],
        },
      },
      "1".repeat(32),
      [],
      NOW,
    );
    expect(r.exception).toMatchObject({
      type: "TypeError",
      message: "Cannot read properties of null (reading 'x') at <path>/a.js",
      stack: "    at place (lib:a:9)\n    at main (index.js:3)",
      handled: false,
      fatal: true,
    });
    expect(r.version).toBe("2.24.0");
  });
  it("the fingerprint ignores line numbers and differs by type", async () => {
    const ev = (type: string, lineno: number) => ({
      exception: { values: [{ type, stacktrace: { frames: [{ module: "m", function: "f", lineno, in_app: true }] } }] },
    });
    const fp = async (t: string, l: number) =>
      (await eventRecord(ev(t, l), "2".repeat(32), [], NOW)).exception!.fingerprint;
    expect(await fp("E", 1)).toBe(await fp("E", 99));
    expect(await fp("E", 1)).not.toBe(await fp("F", 1));
  });
});

describe("sessions", () => {
  it("a session's status: crashed and abnormal are not errored; errors > 0 is errored; no release -> dropped", async () => {
    const s = (status: string, errors = 0) =>
      sessionRecord({ sid: "s", status, errors, attrs: { release: "a@1.0.0" } }, "p", NOW);
    expect((await s("crashed", 1))!.row).toMatchObject({ version: "1.0.0", sessions: 1, crashed: 1, errored: 0 });
    expect((await s("exited", 2))!.row).toMatchObject({ errored: 1, crashed: 0 });
    expect((await s("abnormal"))!.row).toMatchObject({ abnormal: 1, errored: 0 });
    expect(await sessionRecord({ sid: "s", status: "ok" }, "p", NOW)).toBeNull();
  });
  it("aggregates: one row per minute bucket with sessions; ids are stable", async () => {
    const agg = {
      attrs: { release: "5.4.0" },
      aggregates: [{ started: "2026-11-30T13:11:00Z", exited: 2, crashed: 1 }, { started: "x" }],
    };
    const a = await aggregateRows(agg, "p", NOW);
    expect(a).toEqual([expect.objectContaining({ sessions: 3, crashed: 1, errored: 0 })]);
    expect((await aggregateRows(agg, "p", NOW + 1000))[0]!.id).toBe(a[0]!.id);
  });
});

describe("known names: what an event reveals, for the shared scrubber", () => {
  it("home-directory owners from frame paths and the server name with its first label", () => {
    expect(
      knownNames(["/home/alice/vigilant/x.py", "C:\\Users\\bob\\app\\y.js", null], "alice-laptop.corp.example.com"),
    ).toEqual({
      users: ["alice", "bob"],
      hosts: ["alice-laptop.corp.example.com", "alice-laptop"],
    });
    expect(knownNames([], null)).toEqual({ users: [], hosts: [] });
  });
  it("they are replaced in the message through the exception scrubbing step", async () => {
    const r = await eventRecord(
      {
        server_name: "alice-laptop",
        exception: {
          values: [
            {
              type: "Error",
              value: "bob failed on alice-laptop: connect ECONNREFUSED 10.0.0.12:5432 (mail alice.smith@example.com)",
              stacktrace: { frames: [{ abs_path: "/home/bob/app/x.js", function: "f", lineno: 1, in_app: true }] },
            },
          ],
        },
      },
      "3".repeat(32),
      [],
      NOW,
    );
    expect(r.exception!.message).not.toMatch(/bob|alice|10\.0\.0\.12|example\.com/);
    expect(r.exception!.message).toContain("<user>");
    expect(r.exception!.message).toContain("<host>");
    expect(r.exception!.stack).toBe("    at f (x.js:1)");
  });
});
