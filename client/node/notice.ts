import path from "node:path";
import type { ConsentDecision } from "./decide.ts";
import { FILES } from "./files.ts";
import { defaultPrefix, type TelemetryOptions } from "./options.ts";
import type { State } from "./stateFile.ts";

/** The default first-run notice: what is collected, where to see it, how to opt out. */
export function defaultNotice(o: TelemetryOptions, dir: string): string {
  const prefix = o.prefix ?? defaultPrefix(o.product);
  return [
    `${o.product} reports anonymous usage telemetry to ${o.endpoint}: a random installation id, the version,`,
    `the OS type and architecture, and usage counts. No IP address, host name or user name is stored.`,
    `Every report is written to ${path.join(dir, FILES.lastReport)} and listed in ${path.join(dir, FILES.ledger)}.`,
    `To opt out: set ${prefix}_TELEMETRY=disable or DO_NOT_TRACK=1, or run the telemetry CLI's \`disable\` command.`,
  ].join("\n");
}

interface NoticeHost {
  readonly dir: string;
  saveState(change: (s: State) => State): Promise<State>;
}

/**
 * Prints the first-run notice once per notice version: not when telemetry is disabled (there is
 * nothing to tell) and not in CI (nobody reads it; shown on the next interactive run instead).
 * The version shown is recorded in the state file; a higher `noticeVersion` shows it again.
 */
export async function firstRunNotice(
  host: NoticeHost,
  o: TelemetryOptions,
  decision: ConsentDecision,
  ci: string | undefined,
  log: (line: string) => void,
): Promise<State> {
  const version = o.noticeVersion ?? 1;
  const state = await host.saveState((s) => s);
  if (decision.state === "disabled" || ci || (state.noticeVersion ?? 0) >= version) return state;
  for (const line of (o.notice ?? defaultNotice(o, host.dir)).split("\n")) log(line);
  return host.saveState((s) => ({ ...s, noticeVersion: version }));
}
