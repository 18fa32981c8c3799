import { HttpError } from "../../lib/error";
import { sentryStatements, type SentryRows } from "../../store/sentry";
import { jsonBytes, MESSAGE_BYTES, type IngestMessage, type SizedMessage } from "./message";
import { STATEMENTS_PER_TRANSACTION } from "./store";

/**
 * Rows -> messages of at most MESSAGE_BYTES each, in order (pure), each with its size. Rows that
 * fit one message (a capture request's, nearly always) are measured as that one message;
 * otherwise every row is serialised once, to measure it. A single row that cannot fit one message
 * is refused as too large (413) before anything is sent: nothing half-accepted.
 */
export function splitRows<R>(rows: R[], wrap: (rows: R[]) => IngestMessage): SizedMessage[] {
  if (rows.length === 0) return [];
  const whole = wrap(rows);
  const wholeBytes = jsonBytes(whole);
  if (wholeBytes <= MESSAGE_BYTES) return [{ body: whole, bytes: wholeBytes }];
  const out: SizedMessage[] = [];
  let current: R[] = [];
  let bytes = jsonBytes(wrap([]));
  const base = bytes;
  for (const row of rows) {
    const size = jsonBytes(row) + 1; // the comma
    if (base + size > MESSAGE_BYTES) {
      throw new HttpError(413, "payload_too_large", "One record is too large to queue.");
    }
    if (bytes + size > MESSAGE_BYTES && current.length > 0) {
      out.push({ body: wrap(current), bytes });
      current = [];
      bytes = base;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) out.push({ body: wrap(current), bytes });
  return out;
}

/** Refuses (413) a single message over MESSAGE_BYTES, e.g. a ping whose rows cannot be split. */
export function fitMessage(message: IngestMessage): SizedMessage {
  const bytes = jsonBytes(message);
  if (bytes > MESSAGE_BYTES) {
    throw new HttpError(413, "payload_too_large", "The request's records are too large to queue.");
  }
  return { body: message, bytes };
}

const noSentryRows = (): SentryRows => ({ sightings: [], exceptions: [], facts: [], sessions: [], clientReports: [] });

/**
 * One Sentry request's rows -> "sentry" messages of at most MESSAGE_BYTES and
 * STATEMENTS_PER_TRANSACTION statements each (`perSighting`: store/sentry.ts sightingStatements)
 * (pure, linear in the rows; one message for every
 * real SDK request). An exception or fact linked to an installation is packed with a sighting of
 * that installation (repeated in another message if need be: storing a sighting twice inserts
 * nothing), so each message stores correctly on its own, in any order. A single row that cannot
 * fit one message is 413 before anything is sent.
 */
export function splitSentry(rows: SentryRows, perSighting: number): SizedMessage[] {
  type Sighting = SentryRows["sightings"][number];
  type Key = "exceptions" | "facts" | "sessions" | "clientReports";
  const firstSighting = new Map<string, Sighting>();
  for (const s of rows.sightings) if (!firstSighting.has(s.instance.id)) firstSighting.set(s.instance.id, s);
  const sightingOf = (instanceId: string | null | undefined) =>
    instanceId ? firstSighting.get(instanceId) : undefined;
  const base = jsonBytes({ kind: "sentry", rows: noSentryRows() });
  const out: SizedMessage[] = [];
  let current = noSentryRows();
  let inCurrent = new Set<string>(); // sighting ping uuids already in `current`
  let bytes = base;
  const flush = () => {
    if (sentryStatements(current, perSighting) > 0) out.push({ body: { kind: "sentry", rows: current }, bytes });
    current = noSentryRows();
    inCurrent = new Set();
    bytes = base;
  };
  /** Puts the row (and the sighting it needs, unless present) into `current` if both fit; else leaves it as it was. */
  const tryAdd = <K extends Key>(key: K | null, row: SentryRows[K][number] | null, sighting: Sighting | undefined) => {
    const newSighting = sighting !== undefined && !inCurrent.has(sighting.ping.uuid);
    const grown = bytes + (row ? jsonBytes(row) + 1 : 0) + (newSighting ? jsonBytes(sighting) + 1 : 0);
    if (newSighting) current.sightings.push(sighting);
    if (key && row) (current[key] as Array<SentryRows[K][number]>).push(row);
    if (grown <= MESSAGE_BYTES && sentryStatements(current, perSighting) <= STATEMENTS_PER_TRANSACTION) {
      bytes = grown;
      if (newSighting) inCurrent.add(sighting.ping.uuid);
      return true;
    }
    if (key && row) current[key].pop();
    if (newSighting) current.sightings.pop();
    return false;
  };
  const add = <K extends Key>(key: K | null, row: SentryRows[K][number] | null, sighting: Sighting | undefined) => {
    if (tryAdd(key, row, sighting)) return;
    flush();
    if (!tryAdd(key, row, sighting)) throw new HttpError(413, "payload_too_large", "One record is too large to queue.");
  };
  for (const s of rows.sightings) add(null, null, s);
  for (const e of rows.exceptions) add("exceptions", e, sightingOf(e.instanceId));
  for (const f of rows.facts) add("facts", f, sightingOf(f.instanceId));
  for (const s of rows.sessions) add("sessions", s, undefined);
  for (const c of rows.clientReports) add("clientReports", c, undefined);
  flush();
  return out;
}
