import { mkdtemp } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

export function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "candor-client-"));
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A valid 200 answer of POST /v1/ping. */
export function pingAnswer(over: Record<string, unknown> = {}) {
  return {
    uuid: crypto.randomUUID(),
    latest_version: null,
    update_available: false,
    update_info: null,
    alerts: [],
    ignored: [],
    ...over,
  };
}

/**
 * A local HTTP server for transport unit tests: records every request; `reply` decides each answer
 * (status + JSON body), or "hang" to never answer, or "drop" to close the socket.
 */
export async function localServer(
  reply: (
    req: Received,
    n: number,
  ) => { status: number; body?: unknown; headers?: Record<string, string> } | "hang" | "drop",
) {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const r: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      received.push(r);
      const out = reply(r, received.length);
      if (out === "hang") return;
      if (out === "drop") return void req.socket.destroy();
      res.writeHead(out.status, { "content-type": "application/json", ...out.headers });
      res.end(out.body === undefined ? "" : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    pings: () => received.filter((r) => r.method === "POST" && r.url === "/v1/ping"),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A URL nothing listens on (a port just closed). */
export async function deadEndpoint(): Promise<string> {
  const s = await localServer(() => ({ status: 200 }));
  await s.close();
  return s.url;
}

/** A fake fetch that never answers: each call waits until its signal aborts. `nextCall()` resolves at the next call. */
export function neverAnswers() {
  const calls: Array<{ url: string; signal: AbortSignal }> = [];
  const waiters: Array<() => void> = [];
  const fake = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((_, reject) => {
      const signal = init?.signal ?? new AbortController().signal;
      calls.push({ url: String(input), signal });
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      for (const w of waiters.splice(0)) w();
    });
  return { fetch: fake as typeof fetch, calls, nextCall: () => new Promise<void>((r) => void waiters.push(r)) };
}
