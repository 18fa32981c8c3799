// Candor instance client: the public entry point (bundled to dist/node/index.mjs).
import { Telemetry } from "./telemetry.ts";
import type { TelemetryOptions } from "./options.ts";

export { Telemetry, type ToggleResult } from "./telemetry.ts";
export type { TelemetryOptions } from "./options.ts";
export { decideConsent, type ConsentDecision, type ConsentInputs } from "./decide.ts";
export { ConsentError, parseWord, TRUE_WORDS, FALSE_WORDS, UNDECIDED_WORDS, type ConsentState } from "./words.ts";
export { detectCi } from "./ci.ts";
export { scrubber } from "./scrub.ts";
export { FILES, stateDir } from "./files.ts";
export type { UpdateNotice } from "./answer.ts";
export type { HostData } from "./payload.ts";
export type { ReportOutcome } from "./reporter.ts";
export { runCli } from "./runCli.ts";

/** Creates the client; call `start()` once the host has parsed its configuration. */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  return new Telemetry(options);
}
