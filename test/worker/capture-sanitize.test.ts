import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { captureResponse } from "../../schema/wire/capture";
import { call, dumpDatabase, uuid } from "./helpers";

const TOKEN = "phc_candor_dev";

async function capture(events: unknown[], body: (e: unknown[]) => unknown = (e) => ({ api_key: TOKEN, batch: e })) {
  const res = await call("/e/", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: JSON.stringify(body(events)),
  });
  expect(res.status).toBe(200);
  return captureResponse.parse(await res.json());
}
async function row(id: string) {
  return env.DB.prepare("SELECT * FROM events WHERE uuid = ?").bind(id).first<Record<string, unknown>>();
}
/** Stores one event with `properties` and returns its row. */
async function stored(properties: Record<string, unknown>, name = "feature_used") {
  const id = uuid();
  expect((await capture([{ uuid: id, event: name, properties: { token: TOKEN, ...properties } }])).accepted).toBe(1);
  return (await row(id))!;
}

/** What must never be stored, whatever field it is put in. */
const secrets: Array<[string, string]> = [
  ["a licence id", "lic-7f3a9c2e-SECRET"],
  ["a licence JWT", "eyJhbGciOiJFUzI1NiJ9.eyJsaWQiOiI3ZjNhIn0.c2lnbmF0dXJl"],
  ["a URL with a query", "https://console.example.com/admin?licence=abc"],
  ["a bare query", "page?licence=abc"],
  ["an IPv4 address", "203.0.113.77"],
  ["an IPv6 address", "2001:db8::7"],
  ["an email", "jane.doe@example.com"],
  ["a UUID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
];

describe("capture: free-text fields never carry ids, URLs or addresses", () => {
  it.each(secrets)(
    "%s in candor_license_type, candor_instance_ref, candor_instance_id and candor_props never reaches D1",
    async (_what, secret) => {
      const r = await stored({
        candor_license_type: secret,
        candor_instance_ref: secret,
        candor_instance_id: secret,
        candor_props: { plan: secret, note: `see ${secret}` },
      });
      // A UUID is never an instance reference: browsers never get to store an installation id.
      expect(r).toMatchObject({ license_type: null, props: null, instance_ref: null });
      const dump = await dumpDatabase();
      expect(dump).not.toContain(secret);
      expect(String(r.props)).not.toContain(secret);
    },
  );

  it("valid values are kept: a licence tier, an instance reference, short scalar props", async () => {
    const r = await stored({
      candor_license_type: "enterprise",
      candor_instance_ref: "Z2ZIT4pVQ7zRcwdYp2b9Sg",
      candor_props: { plan: "team", rows: 10, ok: true, step: "v2.1 export" },
    });
    expect(r).toMatchObject({ license_type: "enterprise", instance_ref: "Z2ZIT4pVQ7zRcwdYp2b9Sg" });
    expect(JSON.parse(String(r.props))).toEqual({ plan: "team", rows: 10, ok: true, step: "v2.1 export" });
  });

  it("licence types: <= 32 chars of letters, digits and ._- only", async () => {
    expect((await stored({ candor_license_type: "team_2024.v1" })).license_type).toBe("team_2024.v1");
    for (const bad of ["x".repeat(33), "enter prise", "ee/7", "0123456789abcdef0123", "a1b2c3d4e5"]) {
      expect((await stored({ candor_license_type: bad })).license_type).toBeNull();
    }
  });

  it("a custom string over 64 chars is dropped; the other props stay", async () => {
    const r = await stored({ candor_props: { long: "x".repeat(65), fits: "y".repeat(64) } });
    expect(JSON.parse(String(r.props))).toEqual({ fits: "y".repeat(64) });
  });
});

describe("capture: browser, OS, referrer and path are reduced", () => {
  it("$browser / $os: a family name (letters and spaces, <= 32) or null", async () => {
    expect(await stored({ $browser: "Mobile Safari", $os: "Mac OS X" })).toMatchObject({
      browser: "Mobile Safari",
      os: "Mac OS X",
    });
    expect(await stored({ $browser: "Chrome 140", $os: "Windows 10" })).toMatchObject({ browser: null, os: null });
    expect(await stored({ $browser: "Chrome/140.0.1", $os: "A".repeat(33) })).toMatchObject({
      browser: null,
      os: null,
    });
  });

  it("a referrer that is an IP literal is not stored", async () => {
    for (const referrer of ["http://192.168.1.20/admin", "http://[::1]:8080/x", "https://10.0.0.1"]) {
      expect((await stored({ $referrer: referrer })).referrer_domain).toBeNull();
    }
    expect((await stored({ $referring_domain: "172.16.0.9" })).referrer_domain).toBeNull();
    expect((await stored({ $referrer: "https://www.example.org/a?b" })).referrer_domain).toBe("www.example.org");
  });

  it.each([
    ["/a;jsessionid=1A2B3C4D5E/b;v=1", "/a/b"],
    ["/users/3f2504e0-4f89-11d3-9a0c-0305e82c3301/edit", "/users/:id/edit"],
    ["/users/3F2504E04F8911D39A0C0305E82C3301", "/users/:id"],
    ["/nodes/0123456789abcdef", "/nodes/:id"],
    ["/people/jane.doe%40example.com", "/people/:id"],
    ["/people/jane.doe@example.com/x", "/people/:id/x"],
    ["/orders/1234567", "/orders/:id"],
    ["/s/eyJhbGciOiJIUzI1NiJ9xYz", "/s/:id"],
    ["/projects/42/settings-general", "/projects/42/settings-general"],
    ["/app/#/projects/1?tab=2", "/app/#/projects/1"],
    ["/#!/settings/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/#/settings/:id"],
    ["/app/#top", "/app/"],
  ])("path %s is stored as %s", async (path, want) => {
    expect((await stored({ candor_route: path }, "$pageview")).path).toBe(want);
  });
});

describe("capture: uuids and tokens", () => {
  it("an undashed upper-case uuid is stored dashed lower case, so its retry in either form is a duplicate", async () => {
    const id = uuid();
    const bare = id.replaceAll("-", "").toUpperCase();
    expect(await capture([{ uuid: bare, event: "a_b", properties: { token: TOKEN } }])).toMatchObject({
      accepted: 1,
      duplicates: 0,
    });
    expect(await capture([{ uuid: id, event: "a_b", properties: { token: TOKEN } }])).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
    expect(await row(id)).not.toBeNull();
  });

  it("a bare array whose events are all rejected but carry a known token: 200 with the reasons, not 401", async () => {
    const events = [
      { uuid: "nope", event: "$pageview", properties: { token: TOKEN } },
      { uuid: uuid(), event: "$autocapture", properties: { token: TOKEN } },
    ];
    const res = await capture(events, (e) => e);
    expect(res).toEqual({
      status: 1,
      accepted: 0,
      duplicates: 0,
      rejected: [
        { index: 0, reason: "invalid_uuid" },
        { index: 1, reason: "event_not_allowed" },
      ],
    });
    const unknown = await call("/e/", {
      method: "POST",
      body: JSON.stringify([{ uuid: "nope", event: "x", properties: { token: "phc_unknown" } }]),
    });
    expect(unknown.status).toBe(401);
  });
});
