import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import fixture from "../fixtures/posthog-batch.json";
import { captureResponse } from "../../schema/wire/capture";
import { call, dumpDatabase, uuid } from "./helpers";

const TOKEN = "phc_candor_dev";
const LICENCE_ID = "lic-7f3a9c2e-SECRET";

async function capture(events: unknown[]) {
  const res = await call("/e/", {
    method: "POST",
    headers: { "content-type": "text/plain", "user-agent": "Mozilla/5.0 RawAgentFromHeader/9.9" },
    body: JSON.stringify({ api_key: TOKEN, batch: events }),
  });
  expect(res.status).toBe(200);
  return captureResponse.parse(await res.json());
}
async function row(id: string) {
  return env.DB.prepare("SELECT * FROM events WHERE uuid = ?").bind(id).first<Record<string, unknown>>();
}

describe("capture: only the allow-list is stored", () => {
  it("the real posthog-js event keeps path, referrer domain, browser/OS family, lib; nothing else", async () => {
    const e = { ...fixture.batch[0]!, uuid: uuid(), properties: { ...fixture.batch[0]!.properties, token: TOKEN } };
    expect((await capture([e])).accepted).toBe(1);
    const r = await row(e.uuid);
    expect(r).toMatchObject({
      event: "$pageview",
      product: "flowforge",
      path: "/projects/42",
      referrer_domain: "google.com",
      browser: "Safari",
      os: "Linux",
      lib: "web",
      lib_version: "1.449.2",
      distinct_id: e.properties.distinct_id,
      session_id: e.properties.$session_id,
      timestamp: Date.parse(e.timestamp),
      props: null,
    });
    const dump = await dumpDatabase();
    for (const secret of [
      "jsdom",
      "Mozilla",
      "RawAgentFromHeader",
      "tab=settings",
      "#frag",
      "?tab",
      "search?q",
      "ph_keyword",
      "127.0.0.1",
      "en-US",
    ]) {
      expect(dump).not.toContain(secret);
    }
  });

  it("the snippet's properties: route template, instance reference, version, licence TYPE; never the licence id nor an instance id", async () => {
    const id = uuid();
    await capture([
      {
        uuid: id,
        event: "$pageleave",
        timestamp: new Date().toISOString(),
        properties: {
          token: TOKEN,
          distinct_id: "anon-1",
          $current_url: "https://console.example.com/team/acme/projects/9?secret=1#x",
          $pathname: "/team/acme/projects/9",
          $raw_user_agent: "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/140",
          candor_route: "/team/:team/projects/:id?ignored=1",
          candor_instance_ref: "Z2ZIT4pVQ7zRcwdYp2b9Sg",
          candor_instance_id: "C0FFEE00D15C4A11B0A7000000000001", // what snippets before instanceRef sent
          candor_app_version: "2.21.0",
          candor_license_type: "enterprise",
          candor_license_id: LICENCE_ID,
          license: { id: LICENCE_ID, type: "enterprise" },
          $license_id: LICENCE_ID,
          candor_duration_ms: 5123.4,
          candor_props: { plan: "team", count: 3, licence: LICENCE_ID.length > 0 },
          title: "Acme Corp – Secret project",
        },
      },
    ]);
    expect(await row(id)).toMatchObject({
      path: "/team/:team/projects/:id",
      instance_ref: "Z2ZIT4pVQ7zRcwdYp2b9Sg",
      app_version: "2.21.0",
      license_type: "enterprise",
      duration_ms: 5123,
    });
    const dump = await dumpDatabase();
    for (const secret of [LICENCE_ID, "HeadlessChrome", "secret=1", "Acme Corp", "acme", "C0FFEE00", "c0ffee00"])
      expect(dump).not.toContain(secret);
  });

  it("falls back to $current_url's path, drops a non-URL referrer and oversize custom props", async () => {
    const id = uuid();
    await capture([
      {
        uuid: id,
        event: "feature_used",
        properties: {
          token: TOKEN,
          $current_url: "https://x.example/a/b?c=d",
          $referrer: "$direct",
          $browser: "Chrome 140.0 (bad family!)",
          candor_props: { ok: 1, "Bad-Key": 2 },
        },
      },
    ]);
    expect(await row(id)).toMatchObject({
      path: "/a/b",
      referrer_domain: null,
      browser: null,
      props: null,
      timestamp: null,
    });
  });

  it("keeps valid custom props", async () => {
    const id = uuid();
    await capture([
      {
        uuid: id,
        event: "export_done",
        properties: { token: TOKEN, candor_props: { format: "csv", rows: 10, ok: true } },
      },
    ]);
    const r = await row(id);
    expect(JSON.parse(String(r!.props))).toEqual({ format: "csv", rows: 10, ok: true });
  });
});
