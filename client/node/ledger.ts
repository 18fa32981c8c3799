import path from "node:path";
import { z } from "zod";
import { pingRequest } from "@candor-telemetry/schema/wire/ping";
import { FILES, readJson, writeJsonAtomic } from "./files.ts";

/** Bounds: the ledger keeps at most this many entries, and this many unsent reports. */
export const LEDGER_MAX_ENTRIES = 500;
export const LEDGER_MAX_UNSENT_REPORTS = 30;

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

export async function loadLedger(dir: string): Promise<Ledger> {
  const parsed = ledgerSchema.safeParse(await readJson(path.join(dir, FILES.ledger)));
  return parsed.success ? parsed.data : emptyLedger();
}

export async function saveLedger(dir: string, ledger: Ledger): Promise<void> {
  await writeJsonAtomic(path.join(dir, FILES.ledger), { ...ledger, _comment: COMMENT });
}

const isSent = (e: LedgerEntry) => e.submittedAt !== null || e.rejected !== undefined;

/** Trims to the bounds: unsent reports beyond the cap (oldest first, their records detached), then sent entries, then the oldest. */
export function bound(ledger: Ledger, max = LEDGER_MAX_ENTRIES, maxUnsentReports = LEDGER_MAX_UNSENT_REPORTS): Ledger {
  let entries = [...ledger.entries];
  const unsentReports = entries.filter((e) => e.kind === "report" && !isSent(e));
  const dropReports = new Set(
    unsentReports.slice(0, Math.max(0, unsentReports.length - maxUnsentReports)).map((e) => e.id),
  );
  entries = entries
    .filter((e) => !dropReports.has(e.id))
    .map((e) => (e.kind !== "report" && e.reportId && dropReports.has(e.reportId) ? { ...e, reportId: undefined } : e));
  while (entries.length > max) {
    const i = entries.findIndex(isSent);
    entries.splice(i === -1 ? 0 : i, 1);
  }
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
