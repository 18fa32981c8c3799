import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";

/**
 * THE lock primitive of the client (the reporter lock and the ledger lock are both made of it):
 * a lock is a file created exclusively (`wx`) holding `{pid, hostname, token, ...}`. A lock its
 * owner judges stale is moved aside by an atomic rename (one contender wins) and, if what was
 * moved is not the lock judged (a new holder got in between), put back.
 */
export interface HeldLock {
  readonly file: string;
  readonly token: string;
  /** The file's exact content: the lock is ours while the file holds it. */
  readonly body: string;
}

/** Judges a present lock from its parsed content (undefined when torn or not JSON) and its mtime. */
export type StaleJudge = (info: unknown, mtimeMs: number) => boolean;

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Whether a process with this pid runs on this host. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === "EPERM";
  }
}

/** Whether `info` names a dead process of this host (not this process). */
export function deadHere(info: unknown): boolean {
  const i = (info ?? {}) as { pid?: unknown; hostname?: unknown };
  return i.hostname === os.hostname() && typeof i.pid === "number" && i.pid !== process.pid && !alive(i.pid);
}

/**
 * One try at the lock: an exclusive create; when the file exists and `stale` judges it so, it
 * is taken over and the create tried once more. Undefined when another holder keeps it. Throws
 * what the file system throws, except EEXIST.
 */
export async function tryLock(
  file: string,
  extra: Record<string, unknown>,
  stale: StaleJudge,
): Promise<HeldLock | undefined> {
  const token = randomUUID();
  const body = JSON.stringify({ pid: process.pid, hostname: os.hostname(), token, ...extra });
  for (let n = 0; n < 2; n++) {
    try {
      await fs.writeFile(file, body, { flag: "wx", mode: 0o600 });
      return { file, token, body };
    } catch (err) {
      if (errno(err) !== "EEXIST") throw err;
    }
    if (!(await takeOver(file, stale))) return undefined;
  }
  return undefined;
}

/** Moves a stale lock aside; true when the lock is gone (the create may be tried again). */
async function takeOver(file: string, stale: StaleJudge): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
  } catch (err) {
    return errno(err) === "ENOENT";
  }
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch {
    info = undefined; // being written, or torn by a crash: judged by its age
  }
  if (!stale(info, mtimeMs)) return false;
  const aside = `${file}.stale.${randomUUID()}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return true; // another contender moved it first: try the create again
  }
  const moved = await fs.readFile(aside, "utf8").catch(() => "");
  if (moved !== text) {
    // not the lock judged: put it back (link never overwrites a lock created since)
    await fs.link(aside, file).catch(() => undefined);
    await fs.rm(aside, { force: true });
    return false;
  }
  await fs.rm(aside, { force: true });
  return true;
}

/** Whether the lock file still holds this lock (nobody judged it stale and took it over). */
export async function holds(lock: HeldLock): Promise<boolean> {
  return (await fs.readFile(lock.file, "utf8").catch(() => "")) === lock.body;
}

/** Removes the lock file if it is still this lock. */
export async function unlock(lock: HeldLock): Promise<void> {
  if (await holds(lock)) await fs.rm(lock.file, { force: true });
}
