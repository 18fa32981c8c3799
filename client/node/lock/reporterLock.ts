import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { FILES } from "../state/files.ts";
import { alive, holds, tryLock, unlock } from "./lockFile.ts";

/** A lock not refreshed for this long is stale even when its holder cannot be checked (other host). */
export const LOCK_STALE_MS = 3 * 3_600_000;
/** How often the holder refreshes its lock. */
export const LOCK_HEARTBEAT_MS = 3_600_000;

const lockSchema = z.object({ pid: z.number().int(), hostname: z.string(), token: z.string(), createdAt: z.number() });
export type LockInfo = z.infer<typeof lockSchema>;

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
 * Takes the single-reporter lock of a state dir (lockFile.ts on `telemetry.lock`, judged by
 * isStale). Returns undefined when another live process holds it, or the dir cannot be used.
 */
export async function acquireLock(dir: string, now = Date.now()): Promise<ReporterLock | undefined> {
  const file = path.join(dir, FILES.lock);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const stale = (info: unknown, mtimeMs: number) => {
      const parsed = lockSchema.safeParse(info);
      return isStale({ info: parsed.success ? parsed.data : undefined, mtimeMs }, now);
    };
    const lock = await tryLock(file, { createdAt: now }, stale);
    if (!lock) return undefined;
    heldTokens().add(lock.token);
    return {
      held: () => holds(lock),
      async refresh() {
        if (await holds(lock)) await fs.utimes(file, new Date(), new Date()).catch(() => undefined);
      },
      async release() {
        await unlock(lock);
        heldTokens().delete(lock.token);
      },
    };
  } catch {
    return undefined;
  }
}
