// The real worker under `wrangler dev` for the dashboard browser test (ports 8810-8819 only).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

function wranglerSync(args: string[]): void {
  const r = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env, encoding: "utf8", input: "y\n", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`wrangler ${args.slice(0, 2).join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Migrations, then `sql` executed against the local D1 under `persistTo`. */
export function prepareDatabase(persistTo: string, sql: string): void {
  wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  const file = path.join(persistTo, "seed.sql");
  writeFileSync(file, sql);
  wranglerSync(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file]);
}

export interface DevWorker {
  url: string;
  stop(): Promise<void>;
}

/** wrangler dev (with /__scheduled) on `port`, inspector on port + 1; resolves once GET /v1/health answers. */
export async function startDev(port: number, persistTo: string, adminToken: string): Promise<DevWorker> {
  const args = [WRANGLER, "dev", "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(port + 1),
    "--persist-to", persistTo, "--var", `ADMIN_TOKEN:${adminToken}`, "--test-scheduled", "--show-interactive-dev-session=false"];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  child.stdout!.on("data", (c: Buffer) => (log += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (log += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    if (await fetch(`${url}/v1/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`wrangler dev did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.pid === undefined) return resolve();
        child.once("exit", () => resolve());
        process.kill(-child.pid, "SIGTERM"); // its own process group: wrangler and its workerd
      }),
  };
}
