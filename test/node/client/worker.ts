// Runs the real worker under `wrangler dev` for the client's integration tests (ports 8800-8809).
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(".");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
export const ADMIN_TOKEN = "integration-token";

export interface DevWorker {
  url: string;
  admin: (p: string, init?: RequestInit) => Promise<Response>;
  stop: () => Promise<void>;
  log: () => string;
}

/** Applies the migrations to a fresh local D1 under `persistTo`, starts wrangler dev, waits for /v1/health. */
export async function startWorker(port: number, persistTo: string): Promise<DevWorker> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  const migrate = spawnSync(
    process.execPath,
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo],
    { cwd: ROOT, env, encoding: "utf8", input: "y\n" },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      WRANGLER,
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      persistTo,
      "--var",
      `ADMIN_TOKEN:${ADMIN_TOKEN}`,
      "--show-interactive-dev-session=false",
    ],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${url}/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    admin: (p, init = {}) =>
      fetch(`${url}${p}`, {
        ...init,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          "content-type": "application/json",
          ...(init.headers as Record<string, string>),
        },
      }),
    log: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        process.kill(-child.pid!, "SIGTERM"); // its whole process group: wrangler and workerd
      }),
  };
}

/** Rows of a read-only SQL query, run straight against the local D1 under `persistTo` (wrangler d1 execute). */
export function d1Query(persistTo: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  const args = [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env, maxBuffer: 10_000_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrangler d1 execute failed: ${err.message}\n${stderr}`));
      const parsed = JSON.parse(stdout) as Array<{ results: Array<Record<string, unknown>> }>;
      resolve(parsed.flatMap((r) => r.results));
    });
  });
}
