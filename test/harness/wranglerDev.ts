/**
 * The one way tests and benchmarks run the real worker under `wrangler dev`, as `npm start` does:
 * migrations applied with `wrangler d1 migrations apply --local` to a local D1 of its own (a fresh
 * temp `--persist-to` dir unless the caller passes one), `wrangler dev` on a port the OS picks
 * (`--port 0`, read back from its "Ready on" line), ready once GET /v1/health answers 200; stop()
 * ends its whole process group (wrangler and workerd). Parallel runs never share a port or a
 * database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";
import { executeSql, migrateLocal, queryLocal, tempStateDir } from "./localD1.ts";
import { adminFetch, CRON, DEFAULT_ADMIN_TOKEN, type RunningWorker, type WorkerOptions } from "./runningWorker.ts";
import { ROOT, WRANGLER, WRANGLER_ENV } from "./wrangler.ts";

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
    env: WRANGLER_ENV,
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
      pid,
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
