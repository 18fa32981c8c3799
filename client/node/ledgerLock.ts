import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FILES } from "./files.ts";
import { loadLedger, saveLedger, type Ledger } from "./ledger.ts";
import { alive } from "./lock.ts";

/** A ledger lock older than this was left by a crash: the work it guards takes milliseconds. */
export const LEDGER_LOCK_STALE_MS = 10_000;
/** Bounded wait for the ledger lock: this many tries, 10-30 ms apart (a few seconds at most). */
export const LEDGER_LOCK_TRIES = 200;

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Moves a stale lock aside (one contender wins the rename) and deletes it; true when the lock is gone. */
async function clearStale(file: string): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
  } catch (err) {
    return errno(err) === "ENOENT";
  }
  let info: { pid?: unknown; hostname?: unknown } = {};
  try {
    info = JSON.parse(text) as typeof info;
  } catch {
    // being written, or torn by a crash: judged by its age
  }
  const deadHere =
    info.hostname === os.hostname() && typeof info.pid === "number" && info.pid !== process.pid && !alive(info.pid);
  if (!deadHere && Date.now() - mtimeMs <= LEDGER_LOCK_STALE_MS) return false;
  const aside = `${file}.stale.${randomUUID()}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return true; // another contender moved it first: try the create again
  }
  if ((await fs.readFile(aside, "utf8").catch(() => "")) !== text) await fs.link(aside, file).catch(() => undefined); // not the one judged: put it back
  await fs.rm(aside, { force: true });
  return true;
}

/**
 * Runs `fn` holding the ledger lock of `dir`: an exclusive create of `telemetry-ledger.lock`,
 * retried a bounded number of times (then it throws). Hold it only for file work, never across
 * the host's collect() or a request.
 */
export async function withLedgerLock<T>(dir: string, fn: () => Promise<T>, tries = LEDGER_LOCK_TRIES): Promise<T> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, FILES.ledgerLock);
  const token = randomUUID();
  const body = JSON.stringify({ pid: process.pid, hostname: os.hostname(), token });
  for (let n = 0; ; n++) {
    try {
      await fs.writeFile(file, body, { flag: "wx", mode: 0o600 });
      break;
    } catch (err) {
      if (errno(err) !== "EEXIST") throw err;
    }
    if (await clearStale(file)) continue;
    if (n >= tries) throw new Error(`the telemetry ledger stayed locked by another process (${file})`);
    // A ref'ed wait of a few ms: the record or report under way must finish before the process may exit.
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
  }
  try {
    return await fn();
  } finally {
    if ((await fs.readFile(file, "utf8").catch(() => "")) === body) await fs.rm(file, { force: true });
  }
}

/**
 * Changes the ledger atomically across processes: reads it inside the lock, applies `change`
 * (the delta, applied to what is on disk now), writes it. Returns the ledger as written.
 */
export function mutateLedger(dir: string, change: (ledger: Ledger) => Ledger): Promise<Ledger> {
  return withLedgerLock(dir, async () => {
    const before = await loadLedger(dir);
    const after = change(before);
    if (after !== before) await saveLedger(dir, after);
    return after;
  });
}
