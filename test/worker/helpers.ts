import { expect } from "vitest";
import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";

export const ADMIN = { authorization: "Bearer test-admin-token" };
export const BASE = "https://candor.test";

let clients = 0;
/**
 * A distinct client address per call (100.64.0.0/10), so the per-client rate limiter, whose
 * simulated counters are shared by every test file, never throttles unrelated tests.
 */
function clientIp(): string {
  const n = clients++;
  return `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
}

/** Calls the worker's real fetch handler (router, D1 and all). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp());
  return exports.default.fetch(`${BASE}${path}`, { ...init, headers });
}

/** POST JSON. */
export function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Admin call with the test bearer token. */
export function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return call(path, { ...init, headers: { ...ADMIN, ...(init.headers as Record<string, string>) } });
}

/** GET an admin route, expect 200, and return its JSON body as `T`. */
export async function adminJson<T>(path: string): Promise<T> {
  const res = await admin(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string } };
  return body.error.code;
}

/** Row count of a table, straight from D1. */
export async function count(table: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>();
  return row!.n;
}

/**
 * Empties every table (the migrations bookkeeping stays). Storage is shared by the tests of one
 * file: a file whose tests call this in beforeEach gives each test only the rows it writes, so
 * each passes alone (`-t`) and in any order.
 */
export async function emptyDatabase(): Promise<void> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
  ).all<{ name: string }>();
  await env.DB.batch(results.map(({ name }) => env.DB.prepare(`DELETE FROM "${name}"`)));
}

/** Deletes every object of the R2 bucket ARCHIVE (event archive, dead letters): its storage is per test file too. */
export async function emptyArchive(): Promise<void> {
  for (;;) {
    const page = await env.ARCHIVE.list({ limit: 1000 });
    if (page.objects.length === 0) return;
    await env.ARCHIVE.delete(page.objects.map((o) => o.key));
  }
}

/** Every row of every table (migrations bookkeeping excluded), as one JSON string. */
export async function dumpDatabase(): Promise<string> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const dump: Record<string, unknown[]> = {};
  for (const { name } of results) dump[name] = (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results;
  return JSON.stringify(dump);
}

/** What an accepted frontend event writes in D1: the event and its counters (store/eventWrites.ts). */
export const EVENT_WRITER_TABLES = [
  "events",
  "event_ids",
  "event_seen",
  "event_archive_refs",
  "rollup_frontend",
  "rollup_pages",
  "event_seen_slices",
  "rollup_frontend_slices",
  "rollup_pages_slices",
];

/** dumpDatabase() without the tables an accepted event writes. */
export async function dumpAllButEvents(): Promise<string> {
  const dump = JSON.parse(await dumpDatabase()) as Record<string, unknown>;
  for (const t of EVENT_WRITER_TABLES) delete dump[t];
  return JSON.stringify(dump);
}

export function uuid(): string {
  return crypto.randomUUID();
}

/** A tiny real limiter: `allowed` units per key, counted in `spent` (every key asked is in `keys`). */
export interface Budget extends RateLimit {
  keys: string[];
  spent: Map<string, number>;
}
export function budget(allowed: number): Budget {
  const spent = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    spent,
    async limit({ key }) {
      keys.push(key);
      const n = spent.get(key) ?? 0;
      if (n >= allowed) return { success: false };
      spent.set(key, n + 1);
      return { success: true };
    },
  };
}

/** The worker's fetch handler with `overrides` on top of the test env (limiters, vars). */
export async function callWith(
  overrides: Partial<Record<keyof Env, unknown>>,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp());
  const request = new Request(`${BASE}${path}`, { ...init, headers }) as Request<unknown, IncomingRequestCfProperties>;
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A one-event PostHog capture body for the dev project token. */
export function captureBody(): string {
  const event = {
    uuid: uuid(),
    event: "$pageview",
    properties: { distinct_id: "d1", token: "phc_candor_dev", $pathname: "/p" },
  };
  return JSON.stringify({ api_key: "phc_candor_dev", batch: [event] });
}

export { prng } from "../harness/prng";
