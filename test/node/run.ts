import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "../harness/wrangler.ts";

export { ROOT };

/** Runs a project binary (node_modules/.bin) synchronously from the repo root. */
export function runBin(bin: string, args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(path.join(ROOT, "node_modules/.bin", bin), args, {
    cwd: ROOT,
    encoding: "utf8",
    // node_modules/.bin first: wrangler's shebang must find the project's Node 24.
    env: {
      ...process.env,
      PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
      CI: "true",
      WRANGLER_SEND_METRICS: "false",
      ...env,
    },
    timeout: 180_000,
  });
  return { status: res.status, out: `${res.stdout ?? ""}${res.stderr ?? ""}` };
}
