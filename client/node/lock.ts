import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { FILES } from "./files.ts";

/** A lock not refreshed for this long is stale even when its holder cannot be checked (other host). */
export const LOCK_STALE_MS = 3 * 3_600_000;
/** How often the holder refreshes its lock. */
export const LOCK_HEARTBEAT_MS = 3_600_000;

const lockSchema = z.object({ pid: z.number().int(), hostname: z.string(), token: z.string(), createdAt: z.number() });
export type LockInfo = z.infer<typeof lockSchema>;

/** Whether a process with this pid runs on this host. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readLock(dir: string): Promise<{ info: LockInfo | undefined; mtimeMs: number } | undefined> {
  const file = path.join(dir, FILES.lock);
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
    const parsed = lockSchema.safeParse(JSON.parse(text));
    return { info: parsed.success ? parsed.data : undefined, mtimeMs: stat.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Tokens of the locks this process holds now (shared by every copy of the library loaded in it).
 * A lock naming this host and this pid but none of these tokens was left by an earlier process
 * that had the same pid: a restarted container (pid 1), or a recycled pid.
 */
const REGISTRY = Symbol.for("candor.telemetry.heldLockTokens");
function heldTokens(): Set<string> {
  const g = globalThis as typeof globalThis & { [REGISTRY]?: Set<string> };
  return (g[REGISTRY] ??= new Set<string>());
}

/**
 * Whether a lock's holder is gone: on this host a dead pid, or our own pid with a token this
 * process does not hold; an unreadable lock; or no refresh for LOCK_STALE_MS.
 */
export function isStale(lock: { info: LockInfo | undefined; mtimeMs: number }, now: number): boolean {
  if (!lock.info) return now - lock.mtimeMs > 5_000; // a lock being written is given a moment
  if (lock.info.hostname === os.hostname()) {
    if (lock.info.pid === process.pid) return !heldTokens().has(lock.info.token);
    if (!alive(lock.info.pid)) return true;
  }
  return now - lock.mtimeMs > LOCK_STALE_MS;
}

export interface ReporterLock {
  /** Whether this process still holds the lock (nobody judged it stale and took it over). */
  held(): Promise<boolean>;
  /** Refreshes the lock's mtime (the holder's heartbeat). */
  refresh(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the single-reporter lock of a state dir: an exclusive create (`wx`) of the lock file.
 * A stale lock is moved aside (rename is atomic: one contender wins) and the create retried.
 * Returns undefined when another live process holds it.
 */
export async function acquireLock(dir: string, now = Date.now()): Promise<ReporterLock | undefined> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, FILES.lock);
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), token: randomUUID(), createdAt: now };
  for (let tries = 0; tries < 2; tries++) {
    try {
      await fs.writeFile(file, JSON.stringify(info), { flag: "wx", mode: 0o600 });
      heldTokens().add(info.token);
      return holder(file, info.token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
    }
    const current = await readLock(dir);
    if (current && !isStale(current, now)) return undefined;
    const aside = `${file}.stale.${info.token}`;
    try {
      await fs.rename(file, aside);
    } catch {
      continue; // another contender moved it first
    }
    const moved = await fs.readFile(aside, "utf8").catch(() => "");
    if (current?.info && !moved.includes(current.info.token)) {
      await fs.rename(aside, file).catch(() => undefined); // not the stale lock we judged: put it back
      return undefined;
    }
    await fs.rm(aside, { force: true });
  }
  return undefined;
}

function holder(file: string, token: string): ReporterLock {
  const mine = async () => (await fs.readFile(file, "utf8").catch(() => "")).includes(token);
  return {
    held: mine,
    async refresh() {
      if (await mine()) await fs.utimes(file, new Date(), new Date()).catch(() => undefined);
    },
    async release() {
      if (await mine()) await fs.rm(file, { force: true });
      heldTokens().delete(token);
    },
  };
}
