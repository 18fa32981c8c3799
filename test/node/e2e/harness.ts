/**
 * End-to-end helpers: the demo console (a tiny static server on a free port, another origin than
 * the worker, so CORS is real) and the admin read-back of stored events. The worker runs under
 * `wrangler dev` (test/harness/wranglerDev.ts) and Chromium comes from test/harness/browser.ts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { AdminEvent, EventsAnswer } from "../../../schema/wire/admin.ts";
import type { RunningWorker } from "../../harness/runningWorker.ts";
import { eventually } from "../../harness/eventually.ts";
import { ROOT } from "../../harness/wrangler.ts";

export const TOKEN = "phc_candor_dev";

/** A stored event, as GET /v1/admin/events answers it. */
export type StoredEvent = AdminEvent;

/** Stored events matching `query` (GET /v1/admin/events), read through the admin API. */
export async function storedEvents(worker: RunningWorker, query: string): Promise<StoredEvent[]> {
  const res = await worker.admin(`/v1/admin/events?limit=500&${query}`);
  if (!res.ok) throw new Error(`admin read ${res.status}`);
  return ((await res.json()) as EventsAnswer).items;
}

/** Polls until `ready(value)` (20 s by default); the queue consumer stores what the browser sent. */
export const settle = <T>(read: () => Promise<T>, ready: (v: T) => boolean, ms = 20_000): Promise<T> =>
  eventually(read, ready, { timeoutMs: ms, intervalMs: 250 });

export interface Scenario {
  /** "script": /candor.js from the worker; "esm": /esm/candor.mjs from the page's own origin. */
  mode: "script" | "esm";
  /** Candor.start() options, without apiHost (filled in). */
  start: Record<string, unknown>;
  /** The licence arrives later, as a promise the test resolves with `window.__license(value)`. */
  deferLicense?: boolean;
}

/**
 * The demo console: every path serves the same page (an SPA), plus /other.html and /esm/*. It
 * listens first (on a free port) so that the worker can be started with its origin allowed;
 * `setWorker` then tells its pages where the worker is.
 */
export async function startDemo() {
  const state: { scenario: Scenario; files: Map<string, string>; workerUrl: string } = {
    scenario: { mode: "script", start: {} },
    files: new Map(),
    workerUrl: "http://127.0.0.1:1", // nothing listens there until setWorker
  };
  const page = (s: Scenario) => {
    const workerUrl = state.workerUrl;
    const json = JSON.stringify({ apiHost: workerUrl, botFilter: false, ...s.start });
    const options = s.deferLicense
      ? `Object.assign(${json}, { license: new Promise((r) => (window.__license = r)) })`
      : json;
    const boot =
      s.mode === "script"
        ? `<script src="${workerUrl}/candor.js"></script>
<script>window.__decision = Candor.start(${options});</script>`
        : `<script type="module">import { Candor } from "/esm/candor.mjs"; window.Candor = Candor; window.__decision = Candor.start(${options});</script>`;
    return `<!doctype html><html><head><meta charset="utf-8"><title>Demo console</title>
<script>window.__shows = []; addEventListener("pageshow", (e) => __shows.push(e.persisted));</script>
${boot}</head><body><h1>Demo console</h1><p id="where"></p></body></html>`;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname.startsWith("/esm/")) {
      const file = path.join(ROOT, "dist/assets", path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ""));
      try {
        const body = readFileSync(file);
        res.writeHead(200, { "content-type": "text/javascript" }).end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    if (url.pathname === "/favicon.ico") return void res.writeHead(404).end();
    const file = state.files.get(url.pathname);
    if (file !== undefined) {
      const type = url.pathname.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8";
      return void res.writeHead(200, { "content-type": type }).end(file);
    }
    const html =
      url.pathname === "/other.html" ? "<!doctype html><title>Other</title><p>other page</p>" : page(state.scenario);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setWorker(url: string) {
      state.workerUrl = url;
    },
    set(s: Scenario) {
      state.scenario = s;
    },
    /** Serves `body` at `pathname` (e.g. a page with a stock posthog-js build). */
    file(pathname: string, body: string) {
      state.files.set(pathname, body);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the browser's keep-alive sockets would hold close() open
      }),
  };
}
