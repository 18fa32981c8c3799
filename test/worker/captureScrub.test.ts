import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { captureResponse } from "../../schema/wire/capture";
import { call, uuid } from "./helpers";
import { cron } from "./statsSeed";

const TOKEN = "phc_candor_dev";

function event(props: Record<string, unknown>, name = "$pageview") {
  return { uuid: uuid(), event: name, timestamp: new Date().toISOString(), properties: { token: TOKEN, ...props } };
}
async function capture(events: unknown[]) {
  const res = await call("/e/", { method: "POST", body: JSON.stringify({ api_key: TOKEN, batch: events }) });
  expect(res.status).toBe(200);
  return captureResponse.parse(await res.json());
}
async function row(id: string) {
  return env.DB.prepare("SELECT * FROM events WHERE uuid = ?").bind(id).first<Record<string, string | null>>();
}

describe("capture free text: identifiers, lib and version fields, path segments", () => {
  it("a distinct_id or $session_id that names someone is replaced by a keyed hash, stable within the day", async () => {
    await cron(Date.now()); // makes today's salt: requests only read it
    const anon = "01908f3c-5b2a-7cde-8f00-1234567890ab"; // posthog-js's own: a random UUIDv7
    const e = [
      event({ distinct_id: "alice@acme.example", $session_id: "https://acme.example/?sid=1" }),
      event({ distinct_id: "alice@acme.example", $session_id: anon }),
      event({ distinct_id: "bob@acme.example", $session_id: "10.0.0.7" }),
      event({ distinct_id: anon, $session_id: anon }),
    ];
    expect((await capture(e)).accepted).toBe(4);
    const [a, b, c, d] = await Promise.all(e.map((x) => row(x.uuid)));
    expect(a!.distinct_id).toMatch(/^h:[0-9a-f]{32}$/);
    expect(a!.session_id).toMatch(/^h:[0-9a-f]{32}$/);
    expect(b!.distinct_id).toBe(a!.distinct_id); // one person, one visitor all day
    expect(c!.distinct_id).not.toBe(a!.distinct_id);
    expect(c!.session_id).toMatch(/^h:/);
    expect(d).toMatchObject({ distinct_id: anon, session_id: anon });
    expect(JSON.stringify([a, b, c])).not.toMatch(/acme\.example|10\.0\.0\.7/);
  });

  it("$lib, $lib_version, candor_app_version holding an e-mail, IP or URL are dropped; versions kept", async () => {
    const bad = event({
      $lib: "https://cdn.example/x.js?v=1",
      $lib_version: "10.0.0.1:80",
      candor_app_version: "2.0 ops@acme.example",
    });
    const good = event({ $lib: "web", $lib_version: "1.2.3.4", candor_app_version: "2.21.0" });
    await capture([bad, good]);
    expect(await row(bad.uuid)).toMatchObject({ lib: null, lib_version: null, app_version: null });
    expect(await row(good.uuid)).toMatchObject({ lib: "web", lib_version: "1.2.3.4", app_version: "2.21.0" });
  });

  it("an address, e-mail or host in a path segment becomes :id (IPv4, with a port, IPv6, encoded e-mail)", async () => {
    const paths: Array<[string, string]> = [
      ["/devices/192.0.2.78/logs", "/devices/:id/logs"],
      ["/devices/192.0.2.78:1880/editor", "/devices/:id/editor"],
      ["/hosts/2001:db8::1/status", "/hosts/:id/status"],
      ["/users/alice%40acme.example/settings", "/users/:id/settings"],
      ["/nodes/build-01.internal/x", "/nodes/:id/x"],
      ["/team/acme/projects/v1.2.3", "/team/acme/projects/v1.2.3"],
    ];
    const events = paths.map(([p]) => event({ $current_url: `https://console.acme.test${p}?q=1` }));
    await capture(events);
    for (const [i, [, want]] of paths.entries()) expect((await row(events[i]!.uuid))!.path).toBe(want);
  });

  it("a referrer on a private host keeps no domain; a custom event name holding an address is rejected", async () => {
    const e = event({ $referrer: "http://nodered.acme.internal/flows", $referring_domain: "nodered.acme.internal" });
    const named = event({}, "login from 10.0.0.1");
    const answer = await capture([e, named]);
    expect(answer.rejected).toEqual([{ index: 1, reason: "invalid_event_name" }]);
    expect((await row(e.uuid))!.referrer_domain).toBeNull();
    expect(await row(named.uuid)).toBeNull();
  });
});
