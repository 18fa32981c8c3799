import path from "node:path";
import type { ConsentDecision } from "../consent/decide.ts";
import { FILES } from "../state/files.ts";
import { defaultPrefix, type TelemetryOptions } from "../options.ts";
import type { State } from "../state/stateFile.ts";
import type { PingRequest } from "@candor-telemetry/schema/wire/ping";

/**
 * What each field of a report can hold, in the notice's words. Typed by the wire schema's keys,
 * so a field added to the report does not compile until the notice names it.
 */
export const REPORT_HOLDS: Readonly<Record<keyof PingRequest, string>> = {
  instanceId: "a random installation id (UUIDv4) that says nothing about you or this machine",
  product: "the product's name",
  version: "its version",
  os: "the OS type, release and architecture",
  env: "runtime versions (Node.js, the product) and the CI service, if any",
  uptime: "how long the process has run",
  platform: "usage counts, configuration flags and the licence type (never the licence id)",
  facts: "feature facts (which features are in use)",
  exceptions: "exception reports, scrubbed of e-mail addresses, IP addresses, paths, user and host names and secrets",
};

/** What the server works out from a report's connection, and what it never keeps. */
export const SERVER_DERIVES =
  "The server derives the country and the network operator from the connection; it never stores the IP address.";

/** The default first-run notice: every field a report can hold, where to see them, how to opt out. */
export function defaultNotice(o: TelemetryOptions, dir: string): string {
  const prefix = o.prefix ?? defaultPrefix(o.product);
  const list =
    o.privacyUrl ??
    'run `candor-telemetry preview` for the next report, and see Candor\'s README, "What a report holds"';
  return [
    `${o.product} reports anonymous usage telemetry to ${o.endpoint}. A report can hold:`,
    ...Object.values(REPORT_HOLDS).map((line) => `  - ${line}`),
    SERVER_DERIVES,
    `Every report is written to ${path.join(dir, FILES.lastReport)} and listed in ${path.join(dir, FILES.ledger)}.`,
    `To turn telemetry off: set ${prefix}_TELEMETRY=disable (or DO_NOT_TRACK=1) in ${o.product}'s environment, or run \`candor-telemetry disable --product ${o.product}\`.`,
    `The full list: ${list}.`,
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
