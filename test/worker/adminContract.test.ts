import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  deadLettersAnswer,
  adminPing,
  alertAnswer,
  alertsAnswer,
  eventsAnswer,
  instanceExceptionsAnswer,
  instanceFactsAnswer,
  instancePingsAnswer,
  instancesAnswer,
  releaseAnswer,
  releasesAnswer,
} from "../../schema";
import { routes as table } from "../../worker/router";
import { admin, call, post, uuid } from "./helpers";

/**
 * The admin contract (schema/wire/admin.ts): every answer parses with its STRICT schema (an
 * extra key, such as a leaked internal column, fails), no key is camelCase, and every route with
 * a path parameter validates it.
 */
const TOKEN = "phc_candor_dev";
const IDEMPOTENCY_KEY = "contract-idempotency-key-5e1f";
const LICENSE_ID = "LIC-CONTRACT-0042";
const id = uuid();
const session = uuid();
let alertId = "";

/** The answer schema of every GET under /v1/admin/ except stats and exports (stats.ts). */
const answers: Record<string, z.ZodType> = {
  "/v1/admin/instances": instancesAnswer,
  "/v1/admin/instances/:id/pings": instancePingsAnswer,
  "/v1/admin/instances/:id/facts": instanceFactsAnswer,
  "/v1/admin/instances/:id/exceptions": instanceExceptionsAnswer,
  "/v1/admin/releases": releasesAnswer,
  "/v1/admin/alerts": alertsAnswer,
  "/v1/admin/events": eventsAnswer,
  // Parsed with data in queueFailures.test.ts (dead letters need a failing consumer).
  "/v1/admin/dead-letters": deadLettersAnswer,
};
/** Free-form maps whose keys are the client's own (env names, count keys, config paths, props). */
const FREE_FORM = new Set(["env", "counts", "config", "props"]);

/** Every object key of an answer, outside free-form maps, with its JSON path. */
function keys(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keys(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [
    `${path}.${k}`,
    ...(FREE_FORM.has(k) ? [] : keys(v, `${path}.${k}`)),
  ]);
}

/** GET one route; it must be 200 and parse with its strict schema. Returns the parsed body and text. */
async function read(route: string, url: string) {
  const res = await admin(url);
  expect(res.status, url).toBe(200);
  const text = await res.text();
  const body: unknown = JSON.parse(text);
  const parsed = answers[route]!.safeParse(body);
  expect(parsed.error?.issues ?? [], url).toEqual([]);
  return { body, text };
}

beforeAll(async () => {
  const ping = await post(
    "/v1/ping",
    {
      instanceId: id,
      product: "contract",
      version: "1.0.0",
      os: { type: "Linux", release: "6.1", arch: "x64" },
      env: { nodejs: "22.1.0" },
      platform: {
        counts: { usersTotal: 3 },
        config: { features: { sso: true } },
        license: { id: LICENSE_ID, type: "enterprise" },
      },
      uptime: 12,
      facts: [{ id: uuid(), kind: "feature", key: "sso", value: "on", collectedAt: 1_700_000_000_000 }],
      exceptions: [
        { id: uuid(), type: "Error", message: "boom", stack: "Error: boom", collectedAt: 1_700_000_000_000 },
      ],
    },
    { "idempotency-key": IDEMPOTENCY_KEY },
  );
  expect(ping.status).toBe(200);
  const capture = await call("/e/", {
    method: "POST",
    body: JSON.stringify({
      api_key: TOKEN,
      batch: [
        {
          uuid: uuid(),
          event: "$pageview",
          timestamp: new Date().toISOString(),
          properties: {
            distinct_id: "d1",
            $session_id: session,
            $current_url: "https://app.example.com/flows?x=1",
            candor_instance_id: id,
            candor_props: { plan_name: "pro" },
          },
        },
      ],
    }),
  });
  expect(capture.status).toBe(200);
  const json = { "content-type": "application/json" };
  const release = await admin("/v1/admin/releases/contract", {
    method: "PUT",
    headers: json,
    body: JSON.stringify({ version: "1.1.0", info: "Faster" }),
  });
  expect(release.status).toBe(200);
  expect(releaseAnswer.safeParse(await release.json()).error?.issues ?? []).toEqual([]);
  const alert = await admin("/v1/admin/alerts", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ product: "contract", affects: "<1.1.0", level: "warning", message: "upgrade" }),
  });
  expect(alert.status).toBe(201);
  const created = alertAnswer.safeParse(await alert.json());
  expect(created.error?.issues ?? []).toEqual([]);
  alertId = created.data!.alert.id;
});

describe("admin answers follow schema/wire/admin.ts", () => {
  const urls = (): Record<string, string> => ({
    "/v1/admin/instances": "/v1/admin/instances",
    "/v1/admin/instances/:id/pings": `/v1/admin/instances/${id}/pings`,
    "/v1/admin/instances/:id/facts": `/v1/admin/instances/${id}/facts`,
    "/v1/admin/instances/:id/exceptions": `/v1/admin/instances/${id}/exceptions`,
    "/v1/admin/releases": "/v1/admin/releases",
    "/v1/admin/alerts": "/v1/admin/alerts",
    "/v1/admin/events": `/v1/admin/events?session=${session}`,
  });

  it("every admin GET route (but stats and exports) has an answer schema here", () => {
    const routes = table
      .filter((r) => r.method === "GET" && r.path.startsWith("/v1/admin/"))
      .map((r) => r.path)
      .filter((path) => !/^\/v1\/admin\/(stats|export)\//.test(path));
    expect(routes.sort()).toEqual(Object.keys(answers).sort());
  });

  it("each answer parses strictly, holds data, and no key is camelCase", async () => {
    for (const [route, url] of Object.entries(urls())) {
      const { body } = await read(route, url);
      const items = (body as { items: unknown[] }).items;
      expect(items.length, url).toBeGreaterThan(0);
      const camel = keys(body).filter((k) => /[A-Z]/.test(k.slice(k.lastIndexOf(".") + 1)));
      expect(camel, url).toEqual([]);
    }
  });

  it("sibling per-instance lists share one shape: {instance, items, next} (+ groups)", async () => {
    const shapes: string[][] = [];
    for (const kind of ["pings", "facts", "exceptions"]) {
      const { body } = await read(`/v1/admin/instances/:id/${kind}`, `/v1/admin/instances/${id}/${kind}`);
      shapes.push(
        Object.keys(body as object)
          .filter((k) => k !== "groups")
          .sort(),
      );
      expect((body as { instance: { id: string } }).instance.id).toBe(id);
    }
    expect(shapes).toEqual([
      ["instance", "items", "next"],
      ["instance", "items", "next"],
      ["instance", "items", "next"],
    ]);
  });

  it("internal columns and secrets never leave: no idempotency key, no licence id, no day bucket", async () => {
    for (const [route, url] of Object.entries(urls())) {
      const { text } = await read(route, url);
      expect(text, url).not.toContain(IDEMPOTENCY_KEY);
      expect(text, url).not.toContain(LICENSE_ID);
      expect(text, url).not.toMatch(/idempotency|key_hash|keyHash|"day"|instanceId|receivedAt/);
    }
  });

  it("the strict schemas refuse an extra key (a leaked column would fail the tests above)", async () => {
    const { body } = await read("/v1/admin/instances/:id/pings", `/v1/admin/instances/${id}/pings`);
    const ping = (body as { items: unknown[] }).items[0] as Record<string, unknown>;
    expect(adminPing.safeParse(ping).success).toBe(true);
    expect(adminPing.safeParse({ ...ping, idempotency_key: IDEMPOTENCY_KEY }).success).toBe(false);
    expect(adminPing.safeParse({ ...ping, instanceId: id }).success).toBe(false);
  });

  it("times are ISO 8601 UTC", async () => {
    const { body } = await read("/v1/admin/instances/:id/facts", `/v1/admin/instances/${id}/facts`);
    const fact = (body as { items: Array<{ collected_at: string; received_at: string }> }).items[0]!;
    expect(fact.collected_at).toBe("2023-11-14T22:13:20.000Z");
    expect(Math.abs(Date.parse(fact.received_at) - Date.now())).toBeLessThan(600_000);
  });

  it("DELETE answers are 204 without a body", async () => {
    const res = await admin(`/v1/admin/alerts/${alertId}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });
});

describe("path parameters are validated on every route that has them", () => {
  /** A bad value per parameter name; a new parameter name fails the test until it is listed. */
  const bad: Record<string, string> = {
    id: "not-a-uuid",
    instanceId: "not-a-uuid",
    product: "Not%20A%20Slug",
    projectId: "not-digits",
    token: "bad%20token",
    fingerprint: "f".repeat(129),
    version: "9".repeat(65),
  };

  it("400 invalid_field at $.<name>, before anything is read or written", async () => {
    const routes = table.filter((r) => r.path.includes("/:"));
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const { method, path } of routes) {
      const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      for (const name of names) {
        expect(Object.keys(bad), `${method} ${path}: add a bad value for :${name}`).toContain(name);
        const url = path.replace(/:(\w+)/g, (_, n: string) => (n === name ? bad[n]! : n === "id" ? uuid() : "x"));
        const res = await admin(url, {
          method,
          headers: { "content-type": "application/json" },
          body: method === "GET" || method === "DELETE" ? undefined : JSON.stringify({ version: "1.0.0" }),
        });
        expect([method, path, res.status]).toEqual([method, path, 400]);
        expect(((await res.json()) as { error: unknown }).error).toMatchObject({
          code: "invalid_field",
          path: `$.${name}`,
        });
      }
    }
  });
});
