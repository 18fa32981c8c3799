import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The file names the client keeps in its state dir. */
export const FILES = {
  state: "telemetry.json",
  ledger: "telemetry-ledger.json",
  /** New records appended since the ledger was last rewritten (one JSON entry a line). */
  journal: "telemetry-ledger.jsonl",
  lastReport: "telemetry-last-report.json",
  answer: "telemetry-answer.json",
  lock: "telemetry.lock",
  /** Held for a few milliseconds around each change of the ledger (read, change, write). */
  ledgerLock: "telemetry-ledger.lock",
} as const;

/** `<dir>`, or `$XDG_DATA_HOME/<product>` (default `~/.local/share/<product>`). */
export function stateDir(product: string, dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dir) return path.resolve(dir);
  const xdg =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.join(os.homedir(), ".local", "share");
  return path.join(xdg, product);
}

/**
 * Writes JSON atomically: a temp file in the same dir (mode 0600), fsync, then rename over the
 * target, then fsync the directory. Readers see the old or the new file, never a partial one,
 * and after a power loss the new one once this resolved.
 */
export async function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await fs.open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.chmod(tmp, 0o600); // umask cannot widen it, but be explicit
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDir(path.dirname(file));
}

/**
 * fsyncs a directory, so a rename or a new file in it survives a power loss (POSIX). Best effort:
 * the write it follows has already succeeded, so where a directory cannot be opened or synced
 * (Windows, some network or FUSE file systems, no read permission) nothing more can be done and
 * no error is raised.
 */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort (see above)
  }
}

/** Parsed JSON of a file, or undefined when it is missing or not JSON. */
export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8"));
  } catch {
    return undefined;
  }
}
