/**
 * The local D1 of a `--persist-to` state dir, through wrangler's own d1 commands: the layout
 * `wrangler dev` and Miniflare (`<dir>/v3`) both read.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, WRANGLER, WRANGLER_ENV, wranglerSync } from "./wrangler.ts";

/** A fresh empty state dir under `root` (default the OS temp dir). */
export function tempStateDir(prefix = "candor-worker-", root = tmpdir()): string {
  return mkdtempSync(path.join(root, prefix));
}

/** Applies schema/migrations to the local D1 under `persistTo`, as `npm run db:migrate:local` does. */
export function migrateLocal(persistTo: string): void {
  wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
}

/**
 * The migration that builds instance_activity from raw pings (a merge, safe to run again): seeds
 * and benchmarks that insert raw pings straight into D1 run it after them, as a deploy over old
 * data does, so the rollups (which count active installations from that table) see them.
 */
export function activityBackfillSql(): string {
  const dir = path.join(ROOT, "schema/migrations");
  const name = readdirSync(dir).find((f) => f.endsWith("_backfill_instance_activity.sql"));
  if (!name) throw new Error("no backfill_instance_activity migration");
  return readFileSync(path.join(dir, name), "utf8");
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
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: WRANGLER_ENV, maxBuffer: 512 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`wrangler d1 execute failed: ${err.message}\n${stderr}`));
        const parsed = JSON.parse(stdout) as Array<{ results: T[] }>;
        resolve(parsed.flatMap((r) => r.results));
      },
    );
  });
}

/** The SQLite file behind the local D1 under `persistTo` (exists once migrations ran). */
export function d1File(persistTo: string): string {
  const dir = path.join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
  const name = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (name === undefined) throw new Error(`no D1 database under ${dir}`);
  return path.join(dir, name);
}
