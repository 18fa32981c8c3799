import { env } from "cloudflare:workers";
import { call } from "./helpers";

/** The two projects of wrangler.toml's SENTRY_PROJECTS. */
export const VIGILANT = {
  project: "6134822",
  key: "2de30dc7030a4a78a41fad327ba0acff",
  product: "vigilant-crypto-snatch",
};
export const FLOWFUSE = { project: "1", key: "candordev", product: "flowforge" };
/** vigilant's user id in the fixtures: uuid.uuid4().hex, stored with its dashes. */
export const VIGILANT_USER = "9b1f0c3e7d2a4f6b8e5c1a0d3f7b9e2c";
export const VIGILANT_INSTANCE = "9b1f0c3e-7d2a-4f6b-8e5c-1a0d3f7b9e2c";

/** A recorded fixture's exact bytes (test/fixtures/sentry). */
export function fixture(name: string): Uint8Array {
  const b64 = env.TEST_SENTRY_FIXTURES[name];
  if (b64 === undefined) throw new Error(`no fixture ${name}`);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export const text = (s: string) => new TextEncoder().encode(s);

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A body without Content-Length (what @sentry/node's chunked requests look like to the worker). */
export function chunked(bytes: Uint8Array, pieces = 3): ReadableStream<Uint8Array> {
  const size = Math.ceil(bytes.length / pieces) || 1;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, (offset += size)));
    },
  });
}

/** sentry-python's request: X-Sentry-Auth, Content-Length, always gzip (pass the gzip bytes). */
export function pythonPost(
  route: "store" | "envelope",
  gzBytes: Uint8Array,
  p = VIGILANT,
  headers: Record<string, string> = {},
) {
  return call(`/api/${p.project}/${route}/`, {
    method: "POST",
    headers: {
      "x-sentry-auth": `Sentry sentry_key=${p.key}, sentry_version=7, sentry_client=sentry.python/1.9.10`,
      "user-agent": "sentry.python/1.9.10",
      "content-type": route === "store" ? "application/json" : "application/x-sentry-envelope",
      "content-encoding": "gzip",
      ...headers,
    },
    body: gzBytes,
  });
}

/** @sentry/node's request: key in the query, no Content-Type, chunked (no Content-Length). */
export function nodePost(body: Uint8Array, p = VIGILANT, headers: Record<string, string> = {}, path = "envelope") {
  const q = `sentry_version=7&sentry_key=${p.key}&sentry_client=sentry.javascript.node%2F10.78.0`;
  return call(`/api/${p.project}/${path}/?${q}`, {
    method: "POST",
    headers: { "user-agent": "sentry.javascript.node/10.78.0", ...headers },
    body: chunked(body),
  });
}

/** An envelope from a header object and [item header, payload] pairs; payloads keep their bytes. */
export function envelope(header: object, items: Array<[object, string | object]>): Uint8Array {
  const lines = [JSON.stringify(header)];
  for (const [h, p] of items) lines.push(JSON.stringify(h), typeof p === "string" ? p : JSON.stringify(p));
  return text(lines.join("\n"));
}

/** Rows of a query straight from D1. */
export async function rows<T>(query: string): Promise<T[]> {
  return (await env.DB.prepare(query).all<T>()).results;
}
