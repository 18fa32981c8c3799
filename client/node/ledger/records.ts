import { randomUUID } from "node:crypto";
import { pingFact, pingLimits } from "@candor-telemetry/schema/wire/ping";
import type { Ledger, RecordEntry } from "./ledger.ts";

const DAY_MS = 86_400_000;
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

function add(ledger: Ledger, entry: RecordEntry): Ledger {
  return { ...ledger, entries: [...ledger.entries, entry] };
}

/** Firefly III's feature fact: stored once ever per key. Returns the ledger unchanged when known. */
export function addFeature(ledger: Ledger, key: string, value: string, now: number): Ledger {
  if (key in ledger.features) return ledger;
  const entry: RecordEntry = {
    id: randomUUID(),
    kind: "feature",
    key,
    value: clip(value, pingLimits.factValue),
    collectedAt: now,
    submittedAt: null,
    serverUuid: null,
  };
  return add({ ...ledger, features: { ...ledger.features, [key]: now } }, entry);
}

/** A recurring fact: stored at most once per `days` days per key. */
export function addRecurring(ledger: Ledger, key: string, value: string, days: number, now: number): Ledger {
  const last = ledger.recurring[key];
  if (last !== undefined && now - last < days * DAY_MS) return ledger;
  const entry: RecordEntry = {
    id: randomUUID(),
    kind: "recurring",
    key,
    value: clip(value, pingLimits.factValue),
    collectedAt: now,
    submittedAt: null,
    serverUuid: null,
  };
  return add({ ...ledger, recurring: { ...ledger.recurring, [key]: now } }, entry);
}

/** Most `cause` links followed (a cycle or a deep chain stops there). */
const MAX_CAUSES = 5;

/**
 * The `Error.cause` chain as stack text, `Caused by: <stack or message>` per link (the form Java
 * and Sentry use), so the report keeps why the error happened; scrubbed with the rest.
 */
function causes(e: Error): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>([e]);
  for (let c: unknown = e.cause; c !== undefined && c !== null && !seen.has(c) && out.length < MAX_CAUSES;) {
    seen.add(c);
    out.push(`Caused by: ${c instanceof Error ? (c.stack ?? `${c.name}: ${c.message}`) : String(c)}`);
    c = c instanceof Error ? c.cause : undefined;
  }
  return out;
}

/** An exception report: type, message and stack, every string passed through `scrub`. */
export function exceptionEntry(error: unknown, scrub: (s: string) => string, now: number): RecordEntry {
  const e =
    error instanceof Error
      ? error
      : new Error(typeof error === "string" ? error : (JSON.stringify(error) ?? String(error)));
  const type = clip(scrub(e.name || e.constructor.name || "Error"), pingLimits.exceptionType) || "Error";
  const text = [e.stack, ...causes(e)].filter(Boolean).join("\n");
  const stack = text ? clip(scrub(text), pingLimits.exceptionStack) : undefined;
  return {
    id: randomUUID(),
    kind: "exception",
    type,
    message: clip(scrub(e.message), pingLimits.exceptionMessage),
    ...(stack === undefined ? {} : { stack }),
    collectedAt: now,
    submittedAt: null,
    serverUuid: null,
  };
}

export function addException(ledger: Ledger, entry: RecordEntry): Ledger {
  return add(ledger, entry);
}

/** Whether `key` is a valid fact key (1-64 characters); logs and refuses one that is not. */
export function isFactKey(key: string, log: (line: string) => void): boolean {
  if (pingFact.shape.key.safeParse(key).success) return true;
  log(`ignored a fact with an invalid key ${JSON.stringify(key)} (1-64 characters)`);
  return false;
}
