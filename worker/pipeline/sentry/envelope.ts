/**
 * Envelope framing (develop.sentry.dev "Envelopes"), on bytes, never on decoded strings: a JSON
 * header line, then for each item a JSON item header line and a payload that is exactly `length`
 * bytes when the item header gives one (binary-safe: it may hold newlines), otherwise everything
 * up to the next `\n` or the end. A newline after the last payload is optional (sentry-python
 * writes one, @sentry/node does not). Broken framing -> 400 `invalid_envelope`.
 */
import { envelopeHeader, envelopeItemHeader, sentryLimits } from "../../../schema";
import { HttpError } from "../../lib/error";
import { parseJson } from "../../lib/json";

const NL = 0x0a;

export interface EnvelopeItem {
  type: string;
  payload: Uint8Array;
}
export interface Envelope {
  /** The header's `event_id`, when it is one (32 hex digits, dashes dropped). */
  eventId: string | null;
  items: EnvelopeItem[];
}

const broken = (message: string) => new HttpError(400, "invalid_envelope", message);

/** The bytes up to the next newline (or the end) from `start`, and where the next line starts. */
function line(bytes: Uint8Array, start: number): { text: Uint8Array; next: number } {
  const nl = bytes.indexOf(NL, start);
  const end = nl === -1 ? bytes.length : nl;
  return { text: bytes.subarray(start, end), next: nl === -1 ? bytes.length : nl + 1 };
}

/** A header line as a JSON object (the JSON itself must be valid UTF-8 JSON). */
function headerObject(text: Uint8Array, what: string): unknown {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    throw broken(`${what} is not a JSON object.`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw broken(`${what} is not a JSON object.`);
  return value;
}

/** A Sentry event id: 32 hex digits (dashes allowed and dropped), lower case; anything else -> null. */
export function eventIdOf(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const hex = value.replaceAll("-", "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex : null;
}

/** Splits an envelope into its items. At most `sentryLimits.items` items (else 413). */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  const first = line(bytes, 0);
  const header = envelopeHeader.safeParse(headerObject(first.text, "Envelope header"));
  const eventId = header.success ? eventIdOf(header.data.event_id) : null;
  const items: EnvelopeItem[] = [];
  let pos = first.next;
  while (pos < bytes.length) {
    if (bytes[pos] === NL) {
      pos++; // a blank line between items or at the end
      continue;
    }
    const n = items.length;
    if (n >= sentryLimits.items) {
      throw new HttpError(413, "payload_too_large", `Envelope holds more than ${sentryLimits.items} items.`);
    }
    const head = line(bytes, pos);
    const parsed = envelopeItemHeader.safeParse(headerObject(head.text, `Envelope item ${n} header`));
    if (!parsed.success) throw broken(`Envelope item ${n} header needs a string type and an optional length >= 0.`);
    const { type, length } = parsed.data;
    pos = head.next;
    if (length !== null && length !== undefined) {
      if (pos + length > bytes.length) throw broken(`Envelope item ${n}: its length runs past the end of the body.`);
      const payload = bytes.subarray(pos, pos + length);
      pos += length;
      if (pos < bytes.length && bytes[pos] !== NL)
        throw broken(`Envelope item ${n}: payload is longer than its length.`);
      pos++;
      items.push({ type, payload });
    } else {
      const body = line(bytes, pos);
      items.push({ type, payload: body.text });
      pos = body.next;
    }
  }
  return { eventId, items };
}
