import { readAnswer } from "./answer.ts";
import { CONSENT_SOURCES, decideWithSource, type ConsentSource, type SourcedDecision } from "./decide.ts";
import { readLastReport } from "./lastReport.ts";
import { loadLedger, pendingRecords, unsentReports } from "./ledger.ts";
import { isStale, readLock } from "./lock.ts";
import { browserRefOf } from "./browserRef.ts";
import { consentInputs, reporterContext, type TelemetryOptions } from "./options.ts";
import { loadState, peekState, updateState } from "./stateFile.ts";
import { nextReport, report, type ReporterContext } from "./reporter.ts";

/** A command's result: exit code, human text, and the same facts for --json. */
export interface CliResult {
  code: 0 | 1 | 2 | 3;
  text: string;
  json: unknown;
}
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

/**
 * The decision that binds the CLI. The CLI sees its own env, DO_NOT_TRACK and the saved choice;
 * only the host sees its flag, licence, config file, admin setting and product default, and it
 * records its decision (and the input that made it) in the state file. The CLI never writes that
 * record; it follows it unless its own input is a locked disable, or a saved choice / env var
 * that outranks what the host recorded.
 */
export async function effectiveDecision(o: TelemetryOptions, dir: string): Promise<SourcedDecision> {
  const state = await peekState(dir);
  const mine = decideWithSource(consentInputs({ ...o, argv: [] }, state?.consent));
  const host = state?.decision;
  if (!host || (mine.locked && mine.state === "disabled")) return mine;
  const source = host.source ?? (host.locked ? "config" : "default");
  const theirs = {
    state: host.state,
    locked: host.locked,
    source,
    reason: `${host.reason} (as decided by ${o.product} at ${new Date(host.at).toISOString()})`,
  };
  const rank = (s: ConsentSource) => CONSENT_SOURCES.indexOf(s);
  return rank(source) < rank("saved") || mine.source === "default" ? theirs : mine;
}

export async function status(o: TelemetryOptions, dir: string): Promise<CliResult> {
  const state = await peekState(dir);
  const decision = await effectiveDecision(o, dir);
  const lock = await readLock(dir);
  const last = await readLastReport(dir);
  const ledger = await loadLedger(dir);
  const answer = (await readAnswer(dir, Date.now())).fresh?.answer;
  const json = {
    product: o.product,
    dir,
    instanceId: state?.instanceId ?? null,
    browserRef: state ? browserRefOf(state.instanceId) : null,
    ...decision,
    reporter: lock?.info
      ? { pid: lock.info.pid, hostname: lock.info.hostname, stale: isStale(lock, Date.now()) }
      : null,
    lastReport: last
      ? { at: new Date(last.at).toISOString(), status: last.status, detail: last.detail, serverUuid: last.serverUuid }
      : null,
    unsent: { reports: unsentReports(ledger).length, records: pendingRecords(ledger).length },
    update: answer
      ? { latestVersion: answer.latest_version, updateAvailable: answer.update_available, alerts: answer.alerts }
      : null,
  };
  const lines = [
    `Telemetry of ${o.product}: ${decision.state}${decision.locked ? " (locked)" : ""}`,
    `  reason:       ${decision.reason}`,
    `  installation: ${json.instanceId ?? "(none yet)"}`,
    `  browser ref:  ${json.browserRef ?? "(none yet)"}`,
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
  // The admin setting is the host's: its admin UI changes it, the CLI cannot.
  if (before.locked || before.source === "admin") {
    const same = before.state === to;
    const how = before.source === "admin" ? ` Change it in ${o.product}'s admin settings.` : "";
    const text = same
      ? `Telemetry is already ${to} (${before.reason}).`
      : `Refused: telemetry cannot be ${to} here: ${before.reason}.${how}`;
    return { code: same ? EXIT.ok : EXIT.refused, text, json: { ok: same, ...before } };
  }
  await updateState(dir, o.product, (s) => ({ ...s, consent: to }), o.log);
  const after = await effectiveDecision(o, dir);
  return {
    code: EXIT.ok,
    text: `Telemetry ${to} for ${o.product} (${after.reason}). Running processes stop recording at once and follow it at their next report.`,
    json: { ok: true, ...after },
  };
}

/** A report context over the state dir, with the platform data of the last report (the CLI cannot collect it). Writes no decision. */
async function context(o: TelemetryOptions, dir: string): Promise<ReporterContext> {
  const last = await readLastReport(dir);
  const state = await loadState(dir, o.product, o.knownBadIds, o.log);
  const opts = {
    ...o,
    version: o.version ?? last?.payload?.version,
    uptime: () => undefined,
    collect: () => last?.payload?.platform ?? {},
  };
  return reporterContext(opts, dir, state, o.log ?? (() => {}), Date.now);
}

export async function preview(o: TelemetryOptions, dir: string): Promise<CliResult> {
  const { payload } = await nextReport(await context(o, dir), true);
  return { code: EXIT.ok, text: JSON.stringify(payload, null, 2), json: payload };
}

export async function submit(o: TelemetryOptions, dir: string): Promise<CliResult> {
  const decision = await effectiveDecision(o, dir);
  if (decision.state === "disabled")
    return {
      code: EXIT.refused,
      text: `Refused: telemetry is disabled: ${decision.reason}.`,
      json: { ok: false, ...decision },
    };
  const out = await report(await context(o, dir), null);
  const code = out.status === "sent" || out.status === "debug" ? EXIT.ok : EXIT.failed;
  return {
    code,
    text: `${out.status}: ${out.detail}${out.serverUuid ? ` (server submission ${out.serverUuid})` : ""}`,
    json: out,
  };
}

export async function ledger(dir: string): Promise<CliResult> {
  const l = await loadLedger(dir);
  const iso = (t: number | null) => (t === null ? "unsent" : new Date(t).toISOString());
  const lines = l.entries.map((e) => {
    const what =
      e.kind === "report"
        ? `report v${e.payload.version ?? "?"}`
        : e.kind === "exception"
          ? `exception ${e.type}`
          : `${e.kind} ${e.key}=${e.value}`;
    return `${iso(e.collectedAt)}  ${e.rejected ? `rejected (HTTP ${e.rejected})` : iso(e.submittedAt).padEnd(24)}  ${e.serverUuid ?? "-".padEnd(36)}  ${what}`;
  });
  return {
    code: EXIT.ok,
    text: lines.length
      ? [
          "collected                 submitted                 server uuid                           entry",
          ...lines,
        ].join("\n")
      : "The ledger is empty.",
    json: l,
  };
}
