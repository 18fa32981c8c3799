import { promises as fs } from "node:fs";
import path from "node:path";
import { readAnswer } from "./answer.ts";
import { decideConsent, type ConsentDecision } from "./decide.ts";
import { FILES } from "./files.ts";
import { readLastReport } from "./lastReport.ts";
import { loadLedger, pendingRecords, unsentReports } from "./ledger.ts";
import { isStale, readLock } from "./lock.ts";
import { consentInputs, type TelemetryOptions } from "./options.ts";
import { newState, peekState, updateState } from "./stateFile.ts";
import { Telemetry } from "./telemetry.ts";
import { forgetRemote } from "./transport.ts";

/** A command's result: exit code, human text, and the same facts for --json. */
export interface CliResult {
  code: 0 | 1 | 2 | 3;
  text: string;
  json: unknown;
}
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

/** The decision that binds the CLI: its own (env, DO_NOT_TRACK, saved choice), unless the host's last one was locked. */
async function effectiveDecision(o: TelemetryOptions, dir: string): Promise<ConsentDecision> {
  const state = await peekState(dir);
  const mine = decideConsent(consentInputs({ ...o, argv: [] }, state?.consent));
  if (mine.locked || !state?.decision?.locked) return mine;
  const { state: s, locked, reason } = state.decision;
  return { state: s, locked, reason: `${reason} (as decided by ${o.product} at ${new Date(state.decision.at).toISOString()})` };
}

export async function status(o: TelemetryOptions, dir: string): Promise<CliResult> {
  const state = await peekState(dir);
  const decision = await effectiveDecision(o, dir);
  const lock = await readLock(dir);
  const last = await readLastReport(dir);
  const ledger = await loadLedger(dir);
  const answer = (await readAnswer(dir, Date.now())).fresh?.answer;
  const json = {
    product: o.product, dir, instanceId: state?.instanceId ?? null, ...decision,
    reporter: lock?.info ? { pid: lock.info.pid, hostname: lock.info.hostname, stale: isStale(lock, Date.now()) } : null,
    lastReport: last ? { at: new Date(last.at).toISOString(), status: last.status, detail: last.detail, serverUuid: last.serverUuid } : null,
    unsent: { reports: unsentReports(ledger).length, records: pendingRecords(ledger).length },
    update: answer ? { latestVersion: answer.latest_version, updateAvailable: answer.update_available, alerts: answer.alerts } : null,
  };
  const lines = [
    `Telemetry of ${o.product}: ${decision.state}${decision.locked ? " (locked)" : ""}`,
    `  reason:       ${decision.reason}`,
    `  installation: ${json.instanceId ?? "(none yet)"}`,
    `  state dir:    ${dir}`,
    `  reporter:     ${json.reporter ? `pid ${json.reporter.pid} on ${json.reporter.hostname}${json.reporter.stale ? " (stale)" : ""}` : "no process holds the lock"}`,
    `  last report:  ${json.lastReport ? `${json.lastReport.at} ${json.lastReport.status} (${json.lastReport.detail})` : "none"}`,
    `  unsent:       ${json.unsent.reports} report(s), ${json.unsent.records} record(s)`,
  ];
  if (answer?.update_available) lines.push(`  update:       version ${answer.latest_version} is available`);
  for (const a of answer?.alerts ?? []) lines.push(`  alert (${a.level}): ${a.message}`);
  return { code: EXIT.ok, text: lines.join("\n"), json };
}

export async function toggle(o: TelemetryOptions, dir: string, to: "enabled" | "disabled"): Promise<CliResult> {
  const before = await effectiveDecision(o, dir);
  if (before.locked) {
    const same = before.state === to;
    const text = same ? `Telemetry is already ${to} (locked: ${before.reason}).` : `Refused: telemetry cannot be ${to} here: ${before.reason}.`;
    return { code: same ? EXIT.ok : EXIT.refused, text, json: { ok: same, ...before } };
  }
  await updateState(dir, o.product, (s) => ({ ...s, consent: to }));
  const after = await effectiveDecision(o, dir);
  return { code: EXIT.ok, text: `Telemetry ${to} for ${o.product} (${after.reason}). Running processes pick it up at their next report.`, json: { ok: true, ...after } };
}

/** A client over the state dir, reporting the platform data of the last report (the CLI cannot collect it). */
async function client(o: TelemetryOptions, dir: string): Promise<Telemetry> {
  const last = await readLastReport(dir);
  const t = new Telemetry({ ...o, dir, argv: [], uptime: () => undefined, version: o.version ?? last?.payload?.version, collect: () => last?.payload?.platform ?? {} });
  await t.open();
  return t;
}

export async function preview(o: TelemetryOptions, dir: string): Promise<CliResult> {
  const payload = await (await client(o, dir)).preview();
  return { code: EXIT.ok, text: JSON.stringify(payload, null, 2), json: payload };
}

export async function submit(o: TelemetryOptions, dir: string): Promise<CliResult> {
  const decision = await effectiveDecision(o, dir);
  if (decision.state === "disabled") return { code: EXIT.refused, text: `Refused: telemetry is disabled: ${decision.reason}.`, json: { ok: false, ...decision } };
  const out = await (await client(o, dir)).submit();
  const code = out.status === "sent" || out.status === "debug" ? EXIT.ok : out.status === "disabled" ? EXIT.refused : EXIT.failed;
  return { code, text: `${out.status}: ${out.detail}${out.serverUuid ? ` (server submission ${out.serverUuid})` : ""}`, json: out };
}

export async function ledger(dir: string): Promise<CliResult> {
  const l = await loadLedger(dir);
  const iso = (t: number | null) => (t === null ? "unsent" : new Date(t).toISOString());
  const lines = l.entries.map((e) => {
    const what = e.kind === "report" ? `report v${e.payload.version ?? "?"}` : e.kind === "exception" ? `exception ${e.type}` : `${e.kind} ${e.key}=${e.value}`;
    return `${iso(e.collectedAt)}  ${e.rejected ? `rejected (HTTP ${e.rejected})` : iso(e.submittedAt).padEnd(24)}  ${e.serverUuid ?? "-".padEnd(36)}  ${what}`;
  });
  return { code: EXIT.ok, text: lines.length ? ["collected                 submitted                 server uuid                           entry", ...lines].join("\n") : "The ledger is empty.", json: l };
}

export async function forget(o: TelemetryOptions, dir: string, localOnly: boolean): Promise<CliResult> {
  const state = await peekState(dir);
  if (!state) return { code: EXIT.ok, text: "Nothing to forget: no telemetry state here.", json: { ok: true, erased: false } };
  const endpoint = o.endpoint || state.endpoint;
  if (!localOnly) {
    if (!endpoint) return { code: EXIT.usage, text: "No endpoint known: pass --endpoint <url>, or --local-only.", json: { ok: false } };
    const res = await forgetRemote(endpoint, state.instanceId);
    if (!res.ok) return { code: EXIT.failed, text: `Could not ask ${endpoint} to erase ${state.instanceId} (${res.error}); nothing deleted locally. Try again later.`, json: { ok: false, error: res.error } };
  }
  for (const f of [FILES.ledger, FILES.lastReport, FILES.answer, FILES.state]) await fs.rm(path.join(dir, f), { force: true });
  // The saved enable/disable choice survives: forgetting must not switch telemetry back on.
  if (state.consent) await updateState(dir, o.product, () => newState(o.product, { consent: state.consent }));
  const where = localOnly ? "Local data deleted (the server was not asked)." : `The server erased installation ${state.instanceId}; local data deleted.`;
  return { code: EXIT.ok, text: `${where} A new random id is made on the next report.`, json: { ok: true, erased: !localOnly, instanceId: state.instanceId } };
}
