import type { CaptureResponse } from "../../../schema/wire/capture";
import type { Db } from "../../store/db";
import { writeEvents } from "../../store/eventWrites";
import { readSalt } from "../../store/salts";
import { utcDay } from "../../lib/time";
import { pseudonymize } from "./pseudonymize";
import { checkToken, envelope, validateEvents } from "./steps";
import { strip, stripChecks, toRow } from "./strip";
import type { IngestMessage } from "../queue/message";
import { splitRows } from "../queue/split";
import { sendMessages } from "../queue/send";

export interface CaptureInput {
  body: unknown; // output of decodeCapture
  /** The raw-event archive (R2 binding ARCHIVE): the direct path archives what it stores. */
  archive: R2Bucket;
  tokens: Record<string, string>;
  now: number;
  /** Raw events also go to D1's `events` (EVENTS_D1_DAYS > 0); default true. */
  keepRawEvents?: boolean;
}

/**
 * The capture pipeline: envelope -> validate -> token -> strip -> pseudonymize -> rows -> store.
 * Every 4xx is thrown before the store. With a queue (INGEST_MODE=queue) the rows go to it in
 * messages of at most 120 KB (accepted = rows queued; a resent uuid is dropped by the consumer, so
 * `duplicates` is 0 here); without one, writeEvents stores, counts and archives them before the
 * answer (each byte-bounded chunk one transaction; a retry stores only what is missing).
 */
export async function ingestEvents(
  db: Db,
  input: CaptureInput,
  queue: Queue<IngestMessage> | null = null,
): Promise<CaptureResponse> {
  const env = envelope(input.body);
  const { product, valid, rejected } = checkToken(env, validateEvents(env.events), input.tokens);
  const salt = () => readSalt(db, utcDay(input.now));
  const checks = stripChecks(); // this request's: its events share most values
  const clean = await pseudonymize(
    valid.map((c) => strip(c, checks)),
    salt,
  );
  const day = utcDay(input.now);
  const rows = clean.map((e) => toRow(e, product, input.now, day));
  if (queue) {
    await sendMessages(
      queue,
      splitRows(rows, (slice) => ({ kind: "events", rows: slice })),
    );
    return { status: 1, accepted: rows.length, duplicates: 0, rejected };
  }
  const { inserted: accepted } = await writeEvents(db, input.archive, rows, input.now, input.keepRawEvents ?? true);
  return { status: 1, accepted, duplicates: rows.length - accepted, rejected };
}
