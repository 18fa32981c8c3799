import { promises as fs } from "node:fs";
import path from "node:path";
import { FILES } from "../state/files.ts";
import { loadLedger, saveLedger, type Ledger } from "../ledger/ledger.ts";
import { deadHere, tryLock, unlock } from "./lockFile.ts";

/** A ledger lock older than this was left by a crash: the work it guards takes milliseconds. */
export const LEDGER_LOCK_STALE_MS = 10_000;
/** Bounded wait for the ledger lock: this many tries, 10-30 ms apart (a few seconds at most). */
export const LEDGER_LOCK_TRIES = 200;

/**
 * Runs `fn` holding the ledger lock of `dir` (lockFile.ts on `telemetry-ledger.lock`; stale when
 * its holder died on this host or after 10 s), retried a bounded number of times (then it
 * throws). Hold it only for file work, never across the host's collect() or a request.
 */
export async function withLedgerLock<T>(dir: string, fn: () => Promise<T>, tries = LEDGER_LOCK_TRIES): Promise<T> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, FILES.ledgerLock);
  const stale = (info: unknown, mtimeMs: number) => deadHere(info) || Date.now() - mtimeMs > LEDGER_LOCK_STALE_MS;
  for (let n = 0; ; n++) {
    const lock = await tryLock(file, {}, stale);
    if (lock) {
      try {
        return await fn();
      } finally {
        await unlock(lock);
      }
    }
    if (n >= tries) throw new Error(`the telemetry ledger stayed locked by another process (${file})`);
    // A ref'ed wait of a few ms: the record or report under way must finish before the process may exit.
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
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
