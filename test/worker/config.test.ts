import { describe, expect, it } from "vitest";
import { env, exports } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import configurationDoc from "../../docs/configuration.md?raw";
import wranglerToml from "../../wrangler.toml?raw";
import { config, configVariables } from "../../worker/config";
import { count } from "./helpers";

const ping = { instanceId: "a0000000-0000-4000-8000-000000000001", product: "flowforge", version: "1.0.0" };

/** POST /v1/ping through the worker with `vars` replacing the configured ones. */
async function pingWith(vars: Record<string, string | undefined>): Promise<Response> {
  const request = new Request("https://candor.test/v1/ping", {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": "198.51.100.7" },
    body: JSON.stringify(ping),
  });
  return worker.fetch(
    request as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...vars } as Env,
    createExecutionContext(),
  );
}

describe("one configuration: worker/config.ts", () => {
  it("parses the configured vars into a typed Config", () => {
    const cfg = config(env);
    expect(cfg.defaultProduct).toBe("flowforge");
    expect(cfg.captureTokens).toEqual({ phc_candor_dev: "flowforge" });
    expect(cfg.allowedOrigins).toEqual(["*"]);
    expect(cfg.retentionDays).toBe(90);
    expect(cfg.statsRawCompare).toBe(false);
    expect(cfg.pingDamping).toBe(true);
    expect(cfg.sentryProjects["6134822"]).toEqual({
      product: "vigilant-crypto-snatch",
      keys: ["2de30dc7030a4a78a41fad327ba0acff"],
    });
    expect(cfg.sentryMessageFacts["vigilant-crypto-snatch"]).toEqual(["Start watch", "Start test-drive", "Watching"]);
  });

  it("INGEST_MODE defaults to queue (wrangler.toml and the schema); direct is the opt-out", () => {
    expect(wranglerToml).toMatch(/^INGEST_MODE = "queue"$/m);
    expect(config({ ...env, INGEST_MODE: undefined } as unknown as Env).ingestQueued).toBe(true);
    expect(config({ ...env, INGEST_MODE: "direct" } as unknown as Env).ingestQueued).toBe(false);
    expect(() => config({ ...env, INGEST_MODE: "async" } as unknown as Env)).toThrow(/INGEST_MODE/);
  });

  it("RETENTION_DAYS defaults to 90 and accepts 7..3650 only (no rollup reads a raw window)", () => {
    expect(config({ ...env, RETENTION_DAYS: undefined } as unknown as Env).retentionDays).toBe(90);
    expect(config({ ...env, RETENTION_DAYS: "400" } as unknown as Env).retentionDays).toBe(400);
    expect(config({ ...env, RETENTION_DAYS: "7" } as unknown as Env).retentionDays).toBe(7);
    for (const bad of ["6", "abc", "90.5", "-1", "99999"]) {
      expect(() => config({ ...env, RETENTION_DAYS: bad } as unknown as Env)).toThrow(/RETENTION_DAYS/);
    }
  });

  it("EVENTS_D1_DAYS defaults to 7 and accepts 0 (no raw events in D1) or 4..3650 (the cron rebuilds 3 recent days from raw events)", () => {
    expect(config({ ...env, EVENTS_D1_DAYS: undefined } as unknown as Env).eventsD1Days).toBe(7);
    expect(config({ ...env, EVENTS_D1_DAYS: "4" } as unknown as Env).eventsD1Days).toBe(4);
    expect(config({ ...env, EVENTS_D1_DAYS: "0" } as unknown as Env).eventsD1Days).toBe(0);
    for (const bad of ["3", "1", "-1", "abc", "4.5", "99999"]) {
      expect(() => config({ ...env, EVENTS_D1_DAYS: bad } as unknown as Env)).toThrow(/EVENTS_D1_DAYS/);
    }
  });

  const broken: Array<[string, string | undefined]> = [
    ["DEFAULT_PRODUCT", "Not A Slug!"],
    ["DEFAULT_PRODUCT", undefined],
    ["CAPTURE_TOKENS", "{broken"],
    ["CAPTURE_TOKENS", '["phc_x"]'],
    ["SENTRY_PROJECTS", "{broken"],
    ["SENTRY_PROJECTS", '{"abc":{"product":"x","keys":["k"]}}'],
    ["SENTRY_PROJECTS", '{"1":{"product":"x","keys":[]}}'],
    ["SENTRY_PROJECTS", '{"1":{"product":"Not A Slug","keys":["k"]}}'],
    ["SENTRY_MESSAGE_FACTS", '{"x":"Start watch"}'],
    ["SENTRY_MESSAGE_FACTS", undefined],
    ["ALLOWED_ORIGINS", "console.example.com/path"],
    ["ALLOWED_ORIGINS", ""],
    ["RETENTION_DAYS", "6"],
    ["EVENTS_D1_DAYS", "2"],
    ["STATS_RAW_COMPARE", "yes"],
    ["PING_DAMPING", "maybe"],
  ];
  it.each(broken)("a bad %s (%j) is one 503 not_configured naming it, and nothing is stored", async (name, value) => {
    const before = await count("pings");
    const res = await pingWith({ [name]: value });
    expect(res.status).toBe(503);
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("not_configured");
    expect(body.error.message).toContain(name);
    expect(await count("pings")).toBe(before);
  });

  it("health answers without reading the configuration", async () => {
    expect((await exports.default.fetch("https://candor.test/v1/health")).status).toBe(200);
  });

  it("docs/configuration.md's table documents every variable, and wrangler.toml sets each non-secret one", () => {
    const documented = new Set(
      [...configurationDoc.matchAll(/^\| `([A-Z0-9_]+)` \| (?:var|secret)/gm)].map((m) => m[1]),
    );
    expect([...documented].sort()).toEqual([...configVariables].sort());
    const vars = wranglerToml.slice(
      wranglerToml.indexOf("[vars]"),
      wranglerToml.indexOf("\n[", wranglerToml.indexOf("[vars]") + 1),
    );
    const set = new Set([...vars.matchAll(/^([A-Z0-9_]+)\s*=/gm)].map((m) => m[1]));
    expect([...set].sort()).toEqual(configVariables.filter((v) => v !== "ADMIN_TOKEN").sort());
  });
});
