import { readAnswer } from "../report/answer.ts";
import { CONSENT_SOURCES, decideWithSource, type ConsentSource, type SourcedDecision } from "../consent/decide.ts";
import { readLastReport } from "../report/lastReport.ts";
import { loadLedger, pendingRecords, unsentReports } from "../ledger/ledger.ts";
import { isStale, readLock } from "../lock/reporterLock.ts";
import { browserRefOf } from "../state/browserRef.ts";
import { consentInputs, defaultPrefix, reporterContext, type TelemetryOptions } from "../options.ts";
import { loadState, peekState, updateState } from "../state/stateFile.ts";
import { nextReport, report, type ReporterContext } from "../report/reporter.ts";

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

/**
 * How to change a decision the CLI cannot: the input that made it lives in the host's
 * environment, command line, configuration or licence, or in the CLI's own environment.
 */
export function howToChange(d: SourcedDecision, o: TelemetryOptions): string {
  const prefix = o.prefix ?? defaultPrefix(o.product);
  const where: Record<ConsentSource, string> = {
    "do-not-track": `Unset DO_NOT_TRACK (in this shell, and in the environment ${o.product} runs with), then restart ${o.product}.`,
    executable: `Run ${o.product} from a path without "donottrack" in it, then restart it.`,
    licence: `An active licence of ${o.product} always reports; it cannot be changed here.`,
    flag: `Remove or change --telemetry=... on ${o.product}'s command line, then restart it.`,
    env: `Change ${prefix}_TELEMETRY (in this shell, and in the environment ${o.product} runs with), then restart ${o.product}.`,
    config: `Change the telemetry setting in ${o.product}'s config file, then restart it.`,
    admin: `Change it in ${o.product}'s admin settings.`,
    saved: "",
    default: "",
  };
  return where[d.source];
}

/** What the first report waits for, and when the next one is due (an estimate: the CLI does not run the schedule). */
function nextReportDue(d: SourcedDecision, lastAt: number | undefined): string {
  if (d.state === "disabled") return "none while telemetry is disabled";
  if (d.state === "undecided")
    return "undecided: nobody has chosen yet; the first report goes 1 h after the host starts unless someone disables telemetry first";
  if (lastAt === undefined) return "about 10 s after the host starts";
  return `about ${new Date(lastAt + 86_400_000).toISOString()} (every 24 h ± 25 % while the host runs)`;
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
    endpoint: o.endpoint || state?.endpoint || null,
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
    nextReport: nextReportDue(decision, last?.at),
    update: answer
      ? { latestVersion: answer.latest_version, updateAvailable: answer.update_available, alerts: answer.alerts }
      : null,
  };
  const lines = [
    `Telemetry of ${o.product}: ${decision.state}${decision.locked ? " (locked)" : ""}`,
    `  reason:       ${decision.reason}`,
    `  endpoint:     ${json.endpoint ?? "(none known yet)"}`,
    `  next report:  ${json.nextReport}`,
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
    const how = howToChange(before, o) ? ` ${howToChange(before, o)}` : "";
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

/** `submit` is refused (exit 3) while telemetry is disabled, whatever else is missing. */
export async function refusedSubmit(o: TelemetryOptions, dir: string): Promise<CliResult | undefined> {
  const decision = await effectiveDecision(o, dir);
  if (decision.state !== "disabled") return undefined;
  const how = howToChange(decision, o);
  return {
    code: EXIT.refused,
    text: `Refused: telemetry is disabled: ${decision.reason}.${how ? ` ${how}` : ""}`,
    json: { ok: false, ...decision },
  };
}

export async function submit(o: TelemetryOptions, dir: string): Promise<CliResult> {
  const refused = await refusedSubmit(o, dir);
  if (refused) return refused;
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
        ? `report ${e.payload.product ?? "?"} version ${e.payload.version ?? "(none)"}`
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
