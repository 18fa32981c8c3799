import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { pingRequest } from "@candor-telemetry/schema/wire/ping";
import { FILES, readJson, syncDir, writeJsonAtomic } from "../state/files.ts";

/**
 * Bounds: the ledger keeps at most this many entries (sent ones are trimmed, never unsent ones:
 * past it a new record is refused instead), and queues at most this many unsent reports (a new
 * one is not queued past it; the backlog goes first).
 */
export const LEDGER_MAX_ENTRIES = 500;
export const LEDGER_MAX_UNSENT_REPORTS = 30;
/** The journal is folded into the ledger file once it is this big (about 500 records with stacks). */
export const JOURNAL_MAX_BYTES = 1 << 20;

const base = {
  id: z.uuid(),
  collectedAt: z.number(),
  submittedAt: z.number().nullable(),
  serverUuid: z.string().nullable(),
  /** HTTP status of a final refusal (400, 413 or 422): never resent. */
  rejected: z.number().optional(),
};
const record = { ...base, reportId: z.string().optional() };
export const ledgerEntry = z.discriminatedUnion("kind", [
  z.object({ ...base, kind: z.literal("report"), payload: pingRequest }),
  z.object({ ...record, kind: z.enum(["feature", "recurring"]), key: z.string(), value: z.string() }),
  z.object({
    ...record,
    kind: z.literal("exception"),
    type: z.string(),
    message: z.string(),
    stack: z.string().optional(),
  }),
]);
export type LedgerEntry = z.infer<typeof ledgerEntry>;
export type ReportEntry = Extract<LedgerEntry, { kind: "report" }>;
export type RecordEntry = Exclude<LedgerEntry, ReportEntry>;

export const ledgerSchema = z.object({
  _comment: z.string().optional(),
  entries: z.array(ledgerEntry),
  /** Feature keys ever recorded (kept when their entries are trimmed): stored once ever. */
  features: z.record(z.string(), z.number()),
  /** Recurring keys and when each was last recorded. */
  recurring: z.record(z.string(), z.number()),
});
export type Ledger = z.infer<typeof ledgerSchema>;

const COMMENT =
  "Everything this installation's telemetry reported or will report: each report and record with " +
  "when it was collected, when the server accepted it (submittedAt) and the server's submission id " +
  "(serverUuid). Entries with submittedAt null are sent with the next report.";

export function emptyLedger(): Ledger {
  return { _comment: COMMENT, entries: [], features: {}, recurring: {} };
}

/** Adds one record as the journal replays it; an id already present (a replay after a crash mid-fold) is skipped. */
export function withRecord(ledger: Ledger, entry: RecordEntry, ids: Set<string>): Ledger {
  if (ids.has(entry.id)) return ledger;
  ids.add(entry.id);
  ledger.entries.push(entry);
  if (entry.kind === "feature") ledger.features[entry.key] ??= entry.collectedAt;
  if (entry.kind === "recurring") ledger.recurring[entry.key] = entry.collectedAt;
  return ledger;
}

/**
 * The ledger: the ledger file (rewritten atomically by reports) plus the records appended to
 * the journal since. A torn last journal line (a crash mid-append) is ignored.
 */
export async function loadLedger(dir: string): Promise<Ledger> {
  const parsed = ledgerSchema.safeParse(await readJson(path.join(dir, FILES.ledger)));
  const ledger = parsed.success ? parsed.data : emptyLedger();
  const journal = await fs.readFile(path.join(dir, FILES.journal), "utf8").catch(() => "");
  if (!journal) return ledger;
  const ids = new Set(ledger.entries.map((e) => e.id));
  for (const line of journal.split("\n")) {
    if (!line) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const entry = ledgerEntry.safeParse(json);
    if (entry.success && entry.data.kind !== "report") withRecord(ledger, entry.data, ids);
  }
  return ledger;
}

/** Rewrites the ledger file with `ledger` (journal folded in), then empties the journal. Under the ledger lock. */
export async function saveLedger(dir: string, ledger: Ledger): Promise<void> {
  await writeJsonAtomic(path.join(dir, FILES.ledger), { ...ledger, _comment: COMMENT });
  await fs.rm(path.join(dir, FILES.journal), { force: true });
}

/**
 * Appends one record to the journal: one short, fsynced write, no rewrite of the ledger (the ledger file
 * is rewritten only by reports and when the journal passes JOURNAL_MAX_BYTES). Under the ledger
 * lock. Returns false (nothing written) when the ledger holds LEDGER_MAX_ENTRIES unsent entries.
 */
export async function appendRecord(dir: string, entry: RecordEntry): Promise<boolean> {
  const file = path.join(dir, FILES.journal);
  const size = await fs.stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size >= JOURNAL_MAX_BYTES) {
    const folded = bound(await loadLedger(dir));
    await saveLedger(dir, folded);
    if (folded.entries.filter((e) => !isSent(e)).length >= LEDGER_MAX_ENTRIES) return false;
  }
  await appendLine(file, JSON.stringify(entry));
  return true;
}

/**
 * Appends one line durably: fsynced before it returns (a record the host was told is kept
 * survives a power loss). A torn last line left by a crash mid-append is closed with a newline
 * first, so the new record starts a line of its own instead of being glued to the torn one
 * (which loadLedger skips: the new record would be lost with it).
 */
async function appendLine(file: string, line: string): Promise<void> {
  const handle = await fs.open(file, "a+", 0o600);
  let size: number;
  try {
    size = (await handle.stat()).size;
    let torn = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      torn = last[0] !== 0x0a;
    }
    await handle.appendFile(`${torn ? "\n" : ""}${line}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A journal this append created (the first record after a report folded the last one) is a new
  // directory entry: synced too, or a power loss could lose the file with the record.
  if (size === 0) await syncDir(path.dirname(file));
}

const isSent = (e: LedgerEntry) => e.submittedAt !== null || e.rejected !== undefined;

/** Trims to `max` entries by dropping sent (or rejected) entries, oldest first; an unsent entry is never dropped. */
export function bound(ledger: Ledger, max = LEDGER_MAX_ENTRIES): Ledger {
  const over = ledger.entries.length - max;
  if (over <= 0) return ledger;
  let dropped = 0;
  const entries = ledger.entries.filter((e) => !(isSent(e) && dropped < over && ++dropped));
  return { ...ledger, entries };
}

/** Unsent fact and exception records not yet carried by a report. */
export function pendingRecords(ledger: Ledger): RecordEntry[] {
  return ledger.entries.filter((e): e is RecordEntry => e.kind !== "report" && !isSent(e) && !e.reportId);
}

/** Unsent reports, oldest first. */
export function unsentReports(ledger: Ledger): ReportEntry[] {
  return ledger.entries.filter((e): e is ReportEntry => e.kind === "report" && !isSent(e));
}

/** Marks a report and the records it carried as accepted by the server (after its HTTP 200). */
export function markSent(ledger: Ledger, reportId: string, serverUuid: string, at: number): Ledger {
  const hit = (e: LedgerEntry) => e.id === reportId || (e.kind !== "report" && e.reportId === reportId);
  return { ...ledger, entries: ledger.entries.map((e) => (hit(e) ? { ...e, submittedAt: at, serverUuid } : e)) };
}

/** Marks a report refused for good (a 4xx): it and its records are never retried. */
export function markRejected(ledger: Ledger, reportId: string, status: number): Ledger {
  const hit = (e: LedgerEntry) => e.id === reportId || (e.kind !== "report" && e.reportId === reportId);
  return { ...ledger, entries: ledger.entries.map((e) => (hit(e) ? { ...e, rejected: status } : e)) };
}
