/**
 * The one way tests and benchmarks run the real worker under `wrangler dev`, as `npm start` does:
 * migrations applied with `wrangler d1 migrations apply --local` to a local D1 of its own (a fresh
 * temp `--persist-to` dir unless the caller passes one), `wrangler dev` on a port the OS picks
 * (`--port 0`, read back from its "Ready on" line), ready once GET /v1/health answers 200; stop()
 * ends its whole process group (wrangler and workerd). Parallel runs never share a port or a
 * database. Imported by .ts tests and, through Node 24's type stripping, by bench/*.mjs: keep it
 * erasable TypeScript (no enums, no parameter properties).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
/** wrangler run by this process's Node (the project's Node 24 under npm/npx), whatever PATH says. */
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };

export interface WorkerOptions {
  /** Bearer token of /v1/admin/*; default "test-admin-token". */
  adminToken?: string;
  /** wrangler.toml [vars] overrides (`--var`). */
  vars?: Record<string, string>;
  /** SQL run against the migrated database before the worker starts (`wrangler d1 execute --file`). */
  seedSql?: string;
  /** An existing state dir, already migrated and kept by stop(); default: a fresh temp dir, migrated here, removed by stop(). */
  persistTo?: string;
  /** Parent of the fresh temp state dir (default the OS temp dir). */
  tmpRoot?: string;
  /** Milliseconds to wait for /v1/health (default 120 s: two shared cores, several runs at once). */
  readyTimeoutMs?: number;
  /**
   * `--log-level error`: no log line per request (benchmarks, where logging costs CPU the worker
   * needs). wrangler then prints no "Ready on" line, so the port is asked of the OS beforehand.
   */
  quiet?: boolean;
}

/** A running worker: the same shape whether wrangler dev (this file) or Miniflare (miniflare.ts) runs it. */
export interface RunningWorker {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** The local D1 state dir (`--persist-to`); its database is `d1File(persistTo)`. */
  persistTo: string;
  adminToken: string;
  /** fetch(url + path) with the admin bearer token and a JSON content type. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** Rows of one SQL statement run straight against the worker's local D1 (not through its routes). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Runs the worker's scheduled() handler once, as the cron trigger would. */
  scheduled(cron?: string): Promise<void>;
  /** Everything the runtime printed so far (for failure messages). */
  log(): string;
  /** Ends the worker (idempotent) and removes the state dir it created. */
  stop(): Promise<void>;
}

export const DEFAULT_ADMIN_TOKEN = "test-admin-token";
export const CRON = "17 * * * *"; // wrangler.toml [triggers]

function wranglerSync(args: string[]): string {
  const r = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: ENV,
    encoding: "utf8",
    input: "y\n", // `migrations apply` asks before applying
    timeout: 180_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A fresh empty state dir under `root` (default the OS temp dir). */
export function tempStateDir(prefix = "candor-worker-", root = tmpdir()): string {
  return mkdtempSync(path.join(root, prefix));
}

/** Applies schema/migrations to the local D1 under `persistTo`, as `npm run db:migrate:local` does. */
export function migrateLocal(persistTo: string): void {
  wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
}

/** Runs an SQL file's statements against the local D1 under `persistTo`. */
export function executeSql(persistTo: string, sql: string): void {
  const file = path.join(persistTo, `seed-${process.pid}-${Date.now()}.sql`);
  writeFileSync(file, sql);
  try {
    wranglerSync(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file]);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Rows of one statement, through `wrangler d1 execute --json` (a separate process; safe while the worker runs). */
export function queryLocal<T = Record<string, unknown>>(persistTo: string, sql: string): Promise<T[]> {
  const args = [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env: ENV, maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrangler d1 execute failed: ${err.message}\n${stderr}`));
      const parsed = JSON.parse(stdout) as Array<{ results: T[] }>;
      resolve(parsed.flatMap((r) => r.results));
    });
  });
}

/** The SQLite file behind the local D1 under `persistTo` (exists once migrations ran). */
export function d1File(persistTo: string): string {
  const dir = path.join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
  const name = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (name === undefined) throw new Error(`no D1 database under ${dir}`);
  return path.join(dir, name);
}

/** fetch with the admin token; shared by both harnesses. */
export function adminFetch(url: string, token: string) {
  return (p: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${p}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...(init.headers as Record<string, string> | undefined),
      },
    });
}

/** Process groups still running, ended if this process exits without stop() (a crashed test file). */
const groups = new Set<number>();
process.once("exit", () => {
  for (const pid of groups) killGroup(pid, "SIGKILL");
});
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * A port free right now: bound to port 0 by the OS, read, released. Only for `quiet` runs, which
 * cannot read the port wrangler chose; another process could take it in between (then wrangler
 * exits with EADDRINUSE and the error says so).
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `wrangler dev` (with `--test-scheduled`, as `npm start`) and resolves once /v1/health answers. */
export async function startWranglerDev(options: WorkerOptions = {}): Promise<RunningWorker> {
  const adminToken = options.adminToken ?? DEFAULT_ADMIN_TOKEN;
  const owned = options.persistTo === undefined;
  const persistTo = options.persistTo ?? tempStateDir("candor-worker-", options.tmpRoot);
  const cleanup = () => {
    if (owned) rmSync(persistTo, { recursive: true, force: true });
  };
  try {
    if (owned) migrateLocal(persistTo);
    if (options.seedSql !== undefined) executeSql(persistTo, options.seedSql);
  } catch (e) {
    cleanup();
    throw e;
  }
  const port = options.quiet ? await freePort() : 0;
  const args = [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0"];
  if (options.quiet) args.push("--log-level", "error");
  args.push("--persist-to", persistTo, "--test-scheduled", "--show-interactive-dev-session=false");
  for (const [k, v] of Object.entries({ ...options.vars, ADMIN_TOKEN: adminToken })) args.push("--var", `${k}:${v}`);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: stop() ends wrangler and its workerd, nothing else
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("wrangler dev did not start");
  groups.add(pid);
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    killGroup(pid, "SIGKILL"); // a workerd that outlived its wrangler
    groups.delete(pid);
    cleanup();
  };

  try {
    const url = await ready(
      port === 0 ? () => output : () => `Ready on http://127.0.0.1:${port}\n`,
      () => child.exitCode !== null,
      options.readyTimeoutMs ?? 120_000,
    );
    return {
      url,
      persistTo,
      adminToken,
      admin: adminFetch(url, adminToken),
      query: (sql) => queryLocal(persistTo, sql),
      async scheduled(cron = CRON) {
        const res = await fetch(`${url}/__scheduled?cron=${encodeURIComponent(cron)}`);
        await res.text();
        if (!res.ok) throw new Error(`/__scheduled answered ${res.status}\n${output}`);
      },
      log: () => output,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Waits for wrangler's "Ready on <url>" line, then for GET <url>/v1/health to answer 200. */
async function ready(output: () => string, exited: () => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  for (;;) {
    if (exited()) throw new Error(`wrangler dev exited before it was ready:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`wrangler dev was not ready within ${timeoutMs} ms:\n${output()}`);
    url ??= /Ready on (http:\/\/[^\s]+?)\/?(\s|$)/.exec(output())?.[1];
    if (url !== undefined) {
      const res = await fetch(`${url}/v1/health`).catch(() => undefined);
      await res?.text();
      if (res?.ok) return url;
    }
    await sleep(200);
  }
}
