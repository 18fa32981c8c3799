import { randomUUID } from "node:crypto";
import { newLogLines, readAnswer, saveAnswer, toNotice, type UpdateNotice } from "./answer.ts";
import { writeLastReport, type ReportStatus } from "./lastReport.ts";
import {
  bound,
  LEDGER_MAX_UNSENT_REPORTS,
  loadLedger,
  markRejected,
  markSent,
  pendingRecords,
  unsentReports,
  type Ledger,
  type ReportEntry,
} from "../ledger/ledger.ts";
import { mutateLedger } from "../lock/ledgerLock.ts";
import { fitPayload, pickRecords, type HostData } from "./payload.ts";
import { renewIdentity } from "../state/stateFile.ts";
import { KEY_MISMATCH, sendPing, type TransportOptions } from "./transport.ts";
import type { PingRequest, PingResponse } from "@candor-telemetry/schema/wire/ping";

/** What one report or flush needs; built by the Telemetry client. */
export interface ReporterContext {
  dir: string;
  product: string;
  endpoint: string;
  version?: string;
  instanceId: string;
  /** The installation key: sent (as Authorization) with reports of `instanceId` only. */
  instanceKey?: string;
  ci?: string;
  debug: boolean;
  uptime: () => number | undefined;
  collect?: () => HostData | Promise<HostData>;
  /** Deadline of collect() (see hostData). */
  collectTimeoutMs: number;
  transport: TransportOptions;
  log: (line: string) => void;
  onUpdate?: (notice: UpdateNotice) => void;
  now: () => number;
}

export interface ReportOutcome {
  status: ReportStatus;
  detail: string;
  serverUuid: string | null;
  payload: PingRequest | null;
}

/**
 * The host's collect(), under a deadline (ctx.collectTimeoutMs) and the report's abort signal:
 * a collect() that throws, never resolves or outlives stop() costs the report its platform data,
 * never the host its exit. The deadline's timer is unref()ed.
 */
async function hostData(ctx: ReporterContext, signal?: AbortSignal): Promise<HostData | undefined> {
  if (!ctx.collect) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ctx.collectTimeoutMs);
    timer.unref?.();
    onAbort = () => resolve("late");
    if (signal?.aborted) resolve("late");
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const got = await Promise.race([Promise.resolve().then(() => ctx.collect!()), late]);
    if (got !== "late") return got;
    ctx.log(`the host's collect() took longer than ${ctx.collectTimeoutMs} ms: the report goes without platform data`);
    return undefined;
  } catch (err) {
    ctx.log(`could not collect the report's platform data: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

function build(ctx: ReporterContext, ledger: Ledger, host: HostData | undefined, withRecords: boolean) {
  const picked = withRecords ? pickRecords(pendingRecords(ledger)) : { facts: [], exceptions: [] };
  const base = {
    instanceId: ctx.instanceId,
    product: ctx.product,
    version: ctx.version,
    ci: ctx.ci,
    uptimeSeconds: ctx.uptime(),
  };
  return fitPayload(base, host, picked);
}

/** The next report as it would be sent now (pending records attached), without storing anything. */
export async function nextReport(ctx: ReporterContext, withRecords: boolean): Promise<{ payload: PingRequest }> {
  const host = await hostData(ctx);
  return build(ctx, await loadLedger(ctx.dir), host, withRecords);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * One report: disabled -> only the last-report file (what would have been sent); debug -> the
 * payload on stderr and nothing sent; otherwise a ledger entry (with pending records) then flush.
 * The host's data is collected first; the entry is added under the ledger lock, its records
 * picked from the ledger as it is then. `final` (stop()): only this report, one attempt, <= 3 s.
 */
export async function report(
  ctx: ReporterContext,
  disabledReason: string | null,
  final = false,
): Promise<ReportOutcome> {
  const at = ctx.now();
  const host = await hostData(
    final ? { ...ctx, collectTimeoutMs: Math.min(ctx.collectTimeoutMs, 3000) } : ctx,
    ctx.transport.signal,
  );
  const fail = async (status: "invalid" | "failed", detail: string): Promise<ReportOutcome> => {
    ctx.log(detail);
    await writeLastReport(ctx.dir, { at, status, detail, serverUuid: null, payload: null }).catch(() => undefined);
    return { status, detail, serverUuid: null, payload: null };
  };
  let payload: PingRequest;
  try {
    payload = build(ctx, await loadLedger(ctx.dir), host, disabledReason === null).payload; // debug shows pending records too
  } catch (err) {
    return fail("invalid", `the report is invalid and was not sent: ${message(err)}`);
  }
  if (disabledReason !== null || ctx.debug) {
    const status = disabledReason !== null ? "disabled" : "debug";
    const detail = disabledReason !== null ? `not sent: telemetry is ${disabledReason}` : "not sent: debug mode";
    if (ctx.debug)
      process.stderr.write(
        `[${ctx.product} telemetry debug] payload for POST ${ctx.endpoint}/v1/ping:\n${JSON.stringify(payload, null, 2)}\n`,
      );
    await writeLastReport(ctx.dir, { at, status, detail, serverUuid: null, payload });
    return { status, detail, serverUuid: null, payload };
  }
  const id = randomUUID();
  let queued = true;
  try {
    await mutateLedger(ctx.dir, (ledger) => {
      if (unsentReports(ledger).length >= LEDGER_MAX_UNSENT_REPORTS) {
        queued = false; // the backlog goes first; an unsent report is never dropped for a new one
        return ledger;
      }
      const next = build(ctx, ledger, host, true);
      payload = next.payload;
      const carried = new Set([...next.records.facts, ...next.records.exceptions].map((r) => r.id));
      const entries = ledger.entries.map((e) =>
        e.kind !== "report" && carried.has(e.id) ? { ...e, reportId: id } : e,
      );
      const entry: ReportEntry = { id, kind: "report", payload, collectedAt: at, submittedAt: null, serverUuid: null };
      return bound({ ...ledger, entries: [...entries, entry] });
    });
  } catch (err) {
    return fail("failed", `the report could not be stored and was not sent: ${message(err)}`);
  }
  if (!queued) {
    const flushed = await flush(ctx);
    const detail = `not queued: ${LEDGER_MAX_UNSENT_REPORTS} reports already wait to be sent (${flushed.sent.size} sent now)`;
    return { status: "queued", detail, serverUuid: null, payload };
  }
  await writeLastReport(ctx.dir, {
    at,
    status: "queued",
    detail: "queued: not yet accepted by the server",
    serverUuid: null,
    payload,
  });
  const transport = final
    ? { ...ctx.transport, attempts: 1, timeoutMs: Math.min(ctx.transport.timeoutMs ?? 3000, 3000) }
    : ctx.transport;
  const flushed = await flush({ ...ctx, transport }, final ? id : undefined);
  const sent = flushed.sent.get(id);
  if (sent) return { status: "sent", detail: "accepted by the server", serverUuid: sent, payload };
  const rejected = flushed.rejected.get(id);
  if (rejected !== undefined)
    return {
      status: "rejected",
      detail: `rejected by the server: HTTP ${rejected}; it will not be resent`,
      serverUuid: null,
      payload,
    };
  return {
    status: "queued",
    detail: `queued for a later attempt: ${flushed.error ?? "not sent"}`,
    serverUuid: null,
    payload,
  };
}

/**
 * Sends every unsent report (or only `only`), oldest first, each under its own Idempotency-Key;
 * stops at the first failure that may pass later. 400/413/422 answers reject a report for good,
 * and so does 403 instance_key_mismatch: the server holds another key for the report's id. For
 * the current id that also gives the installation a new id and key (logged), so the next report
 * goes out as a new installation instead of being refused forever.
 */
export async function flush(
  ctx: ReporterContext,
  only?: string,
): Promise<{ sent: Map<string, string>; rejected: Map<string, number>; error?: string }> {
  const sent = new Map<string, string>();
  const rejected = new Map<string, number>();
  for (const entry of unsentReports(await loadLedger(ctx.dir)).filter((e) => only === undefined || e.id === only)) {
    // The key proves only the id it was made with: reports left from an earlier id go without it.
    const key = entry.payload.instanceId === ctx.instanceId ? ctx.instanceKey : undefined;
    const result = await sendPing(ctx.endpoint, entry.payload, entry.id, ctx.transport, key);
    if (result.ok) {
      const at = ctx.now();
      await mutateLedger(ctx.dir, (l) => markSent(l, entry.id, result.answer.uuid, at));
      await writeLastReport(ctx.dir, {
        at,
        status: "sent",
        detail: "accepted by the server",
        serverUuid: result.answer.uuid,
        payload: entry.payload,
      });
      sent.set(entry.id, result.answer.uuid);
      await handleAnswer(ctx, result.answer);
    } else if (result.retryable || result.status === null) {
      return { sent, rejected, error: result.error };
    } else {
      ctx.log(`the server rejected a report (${result.error}); it will not be resent`);
      await mutateLedger(ctx.dir, (l) => markRejected(l, entry.id, result.status ?? 0));
      await writeLastReport(ctx.dir, {
        at: ctx.now(),
        status: "rejected",
        detail: `rejected by the server: ${result.error}`,
        serverUuid: null,
        payload: entry.payload,
      });
      rejected.set(entry.id, result.status);
      if (result.code === KEY_MISMATCH && entry.payload.instanceId === ctx.instanceId)
        await renewIdentity(ctx.dir, ctx.product, ctx.instanceId, ctx.log);
    }
  }
  return { sent, rejected };
}

/** Caches the answer (48 h), logs a new update version or alert once, and tells the host. */
export async function handleAnswer(ctx: ReporterContext, answer: PingResponse): Promise<void> {
  const { logged } = await readAnswer(ctx.dir, ctx.now());
  const fresh = newLogLines(answer, logged);
  for (const line of fresh.lines) ctx.log(line);
  await saveAnswer(ctx.dir, answer, [...logged, ...fresh.keys], ctx.now());
  if (answer.update_available || answer.alerts.length) {
    try {
      ctx.onUpdate?.(toNotice(answer));
    } catch (err) {
      ctx.log(`onUpdate callback failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
