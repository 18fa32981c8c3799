// Candor instance client: the public entry point (bundled to dist/node/index.mjs).
import { Telemetry } from "./telemetry.ts";
import type { TelemetryOptions } from "./options.ts";

export { Telemetry, type ToggleResult } from "./telemetry.ts";
export type { TelemetryOptions } from "./options.ts";
export { decideConsent, type ConsentDecision, type ConsentInputs } from "./consent/decide.ts";
export {
  ConsentError,
  parseWord,
  TRUE_WORDS,
  FALSE_WORDS,
  UNDECIDED_WORDS,
  type ConsentState,
} from "./consent/words.ts";
export { detectCi } from "./report/ci.ts";
export { scrubber } from "./ledger/scrub.ts";
export { FILES, stateDir } from "./state/files.ts";
export type { UpdateNotice } from "./report/answer.ts";
export type { HostData } from "./report/payload.ts";
export type { ReportOutcome } from "./report/reporter.ts";
export { runCli } from "./cli/runCli.ts";

/** Creates the client; call `start()` once the host has parsed its configuration. */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  return new Telemetry(options);
}
