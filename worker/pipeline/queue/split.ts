import { HttpError } from "../../lib/error";
import { jsonBytes, MESSAGE_BYTES, type IngestMessage } from "./message";

/**
 * Rows -> messages of at most MESSAGE_BYTES each, in order (pure). A single row that cannot fit
 * one message is refused as too large (413) before anything is sent: nothing half-accepted.
 */
export function splitRows<R>(rows: R[], wrap: (rows: R[]) => IngestMessage): IngestMessage[] {
  const out: IngestMessage[] = [];
  let current: R[] = [];
  let bytes = jsonBytes(wrap([]));
  const base = bytes;
  for (const row of rows) {
    const size = jsonBytes(row) + 1; // the comma
    if (base + size > MESSAGE_BYTES) {
      throw new HttpError(413, "payload_too_large", "One record is too large to queue.");
    }
    if (bytes + size > MESSAGE_BYTES && current.length > 0) {
      out.push(wrap(current));
      current = [];
      bytes = base;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) out.push(wrap(current));
  return out;
}

/** Refuses (413) a single message over MESSAGE_BYTES, e.g. a ping whose rows cannot be split. */
export function fitMessage(message: IngestMessage): IngestMessage {
  if (jsonBytes(message) > MESSAGE_BYTES) {
    throw new HttpError(413, "payload_too_large", "The request's records are too large to queue.");
  }
  return message;
}
