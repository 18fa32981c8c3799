import type { EventRow } from "../../store/events";
import type { ExceptionRow, FactRow } from "../../store/records";
import type { InstanceRow, PingRow } from "../../store/pings";
import type { SentryRows } from "../../store/sentry";
import type { UnattributedRow } from "../../store/submissions";

/**
 * One message of the ingestion queue: rows the routes validated and stripped, ready to store.
 * Every row carries its final id (ping uuid, event uuid, fact ids), so storing a message twice
 * (a redelivery, a replay) inserts nothing twice.
 */
export type IngestMessage =
  /** One installation's ping (POST /v1/ping, /ping, FerretDB's beacon, one Firefly installation). */
  | { kind: "ping"; instance: InstanceRow; ping: PingRow; records: { facts: FactRow[]; exceptions: ExceptionRow[] } }
  /** Frontend events of one product (a slice of one capture request). */
  | { kind: "events"; rows: EventRow[] }
  /** Firefly facts that name no installation. */
  | { kind: "unattributed"; rows: UnattributedRow[] }
  /**
   * Rows of one Sentry request (or a slice of one: splitSentry). Every exception or fact linked to
   * an installation travels with a sighting of it, so the consumer's keyless check sees the
   * installation whatever order messages arrive in.
   */
  | { kind: "sentry"; rows: SentryRows };

/**
 * Bytes a message may take as JSON: Cloudflare Queues take 128 KB per message (REFERENCE.md §2);
 * the margin covers the queue's own envelope.
 */
export const MESSAGE_BYTES = 120 * 1024;

/** Messages and bytes per `sendBatch` call: 100 messages and 256 KB per call (Queues limits). */
export const SEND_BATCH_MESSAGES = 100;
export const SEND_BATCH_BYTES = 240 * 1024;

const encoder = new TextEncoder(); // stateless: one per isolate

/** UTF-8 bytes of `value` as JSON (what the queue carries with contentType "json"). */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}

/**
 * A message with its size as JSON, measured once where it was built (split.ts), so sending it
 * does not serialise it again just to measure it. `bytes` is never below the real size (an upper
 * bound is safe for the per-call byte limit).
 */
export interface SizedMessage {
  body: IngestMessage;
  bytes: number;
}

/** `message` measured (for messages not built by split.ts, e.g. a dead-letter replay). */
export function sized(message: IngestMessage): SizedMessage {
  return { body: message, bytes: jsonBytes(message) };
}
