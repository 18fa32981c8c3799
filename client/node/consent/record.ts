import { decideWithSource, type ConsentDecision } from "./decide.ts";
import { clientLog, consentInputs, type TelemetryOptions } from "../options.ts";
import { loadState, peekState, updateState, type State } from "../state/stateFile.ts";

const strip = ({ state, locked, reason }: ConsentDecision): ConsentDecision => ({ state, locked, reason });

/**
 * Decides consent from the options and the saved choice, and records the decision (with the
 * input that made it) in the state file, so the CLI can honour what only the host knows.
 */
export async function decideAndRecord(
  o: TelemetryOptions,
  dir: string,
  now: number,
): Promise<{ decision: ConsentDecision; state: State }> {
  const persisted = (await loadState(dir, o.product, o.knownBadIds, clientLog(o))).consent;
  const d = decideWithSource(consentInputs(o, persisted));
  const state = await updateState(dir, o.product, (s) => ({
    ...s,
    product: o.product,
    endpoint: o.endpoint,
    decision: { ...d, at: now },
  }));
  return { decision: strip(d), state };
}

/** The decision as it stands now (re-reading the saved choice), without writing anything. */
export async function currentDecision(o: TelemetryOptions, dir: string): Promise<ConsentDecision> {
  return strip(decideWithSource(consentInputs(o, (await peekState(dir))?.consent)));
}

export const sameDecision = (a: ConsentDecision | undefined, b: ConsentDecision) =>
  a?.state === b.state && a.locked === b.locked && a.reason === b.reason;

/** A toggle's outcome: refused (ok false) when the decision is locked. */
export interface ToggleResult {
  ok: boolean;
  message: string;
  decision: ConsentDecision;
}

/**
 * A runtime toggle by the host (its admin UI): changes the admin setting (when the host has one)
 * and the saved choice. Refused when a higher input locks the decision.
 */
export async function toggleConsent(
  o: TelemetryOptions,
  dir: string,
  now: number,
  to: "enabled" | "disabled",
): Promise<{ result: ToggleResult; state: State }> {
  const before = await decideAndRecord(o, dir, now);
  const d = before.decision;
  if (d.locked)
    return {
      result: { ok: d.state === to, message: `Telemetry stays ${d.state}: ${d.reason}.`, decision: d },
      state: before.state,
    };
  if (o.admin !== undefined) o.admin = to;
  await updateState(dir, o.product, (s) => ({ ...s, consent: to }));
  const after = await decideAndRecord(o, dir, now);
  return { result: { ok: true, message: `Telemetry ${to}.`, decision: after.decision }, state: after.state };
}
