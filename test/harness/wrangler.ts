/**
 * The project's wrangler CLI, run by this process's Node (the project's Node 24 under npm/npx,
 * whatever PATH says), from the repo root, with telemetry and colours off. Shared by the
 * harnesses in this folder (erasable TypeScript: bench/*.mjs import them through Node's type
 * stripping, so no enums, no parameter properties).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
export const WRANGLER_ENV = {
  ...process.env,
  CI: "true",
  WRANGLER_SEND_METRICS: "false",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

/** Runs `wrangler <args>` to the end; its stdout, or an Error with both streams. */
export function wranglerSync(args: string[]): string {
  const r = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: WRANGLER_ENV,
    encoding: "utf8",
    input: "y\n", // `migrations apply` asks before applying
    timeout: 180_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
