/**
 * End-to-end harness: the real worker under `wrangler dev` (local D1 in a fresh temp dir), a tiny
 * static server for the demo console page (another origin, so CORS is real), and Debian's
 * chromium driven by playwright-core. Ports: 8790-8799 only.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import type { AdminEvent, EventsAnswer } from "../../../schema/wire/admin.ts";
import { ROOT } from "../run.ts";

export const ADMIN_TOKEN = "e2e-token-0123456789";
export const TOKEN = "phc_candor_dev";

/** wrangler under this Node (>= 22.12), whatever `node` the PATH would pick. */
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const quiet = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };

export interface Worker {
  url: string;
  stop(): Promise<void>;
  events(query: string): Promise<StoredEvent[]>;
}
/** A stored event, as GET /v1/admin/events answers it. */
export type StoredEvent = AdminEvent;

/** Applies the migrations, starts `wrangler dev`, waits until GET /v1/health answers. */
export async function startWorker(port: number, inspectorPort: number, vars: Record<string, string>): Promise<Worker> {
  const persist = mkdtempSync(path.join(tmpdir(), "candor-e2e-"));
  const migrated = spawnSync(
    process.execPath,
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist],
    { cwd: ROOT, env: quiet, encoding: "utf8", timeout: 120_000 },
  );
  if (migrated.status !== 0) throw new Error(`migrations failed:\n${migrated.stdout}${migrated.stderr}`);
  const args = [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persist,
  ];
  for (const [k, v] of Object.entries({ ADMIN_TOKEN, ...vars })) args.push("--var", `${k}:${v}`);
  const child: ChildProcess = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: quiet,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: stop() ends wrangler and its workerd child, nothing else
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    const ok = await fetch(`${url}/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`wrangler dev did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    },
    async events(query: string) {
      const res = await fetch(`${url}/v1/admin/events?limit=500&${query}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (!res.ok) throw new Error(`admin read ${res.status}`);
      return ((await res.json()) as EventsAnswer).items;
    },
  };
}

/** Polls until `ready(value)`; returns the last value either way (the caller asserts on it). */
export async function settle<T>(read: () => Promise<T>, ready: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!ready(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

export interface Scenario {
  /** "script": /candor.js from the worker; "esm": /esm/candor.mjs from the page's own origin. */
  mode: "script" | "esm";
  /** Candor.start() options, without apiHost (filled in). */
  start: Record<string, unknown>;
  /** The licence arrives later, as a promise the test resolves with `window.__license(value)`. */
  deferLicense?: boolean;
}

/** The demo console: every path serves the same page (an SPA), plus /other.html and /esm/*. */
export function startDemo(port: number, workerUrl: string) {
  const state: { scenario: Scenario; files: Map<string, string> } = {
    scenario: { mode: "script", start: {} },
    files: new Map(),
  };
  const page = (s: Scenario) => {
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
  const ready = new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    ready,
    set(s: Scenario) {
      state.scenario = s;
    },
    /** Serves `body` at `pathname` (e.g. a page with a stock posthog-js build). */
    file(pathname: string, body: string) {
      state.files.set(pathname, body);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Debian's chromium, headless, offline-safe flags; bfcache left on (Playwright turns it off). */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
