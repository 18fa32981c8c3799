import type { FireflyResponse } from "../../../schema";
import { log } from "../../lib/log";
import type { Db } from "../../store/db";
import { recordSubmission } from "../../store/submissions";
import { identity } from "../ping/identity";
import { geo } from "../ping/steps";
import { toRows, type IdentifiedFact } from "./rows";
import { factId, readRow, submissionRef, type DropReason, type RawRow } from "./steps";
import type { IngestMessage } from "../queue/message";
import { fitMessage, splitRows } from "../queue/split";
import { sendMessages } from "../queue/send";

export interface SubmissionInput {
  rows: RawRow[]; // output of validateBatch, run by the route before rate limiting
  product: string;
  version: string | null;
  cf: { country?: unknown; asn?: unknown } | undefined;
  now: number;
  newUuid: () => string;
}

/**
 * The submission pipeline: every row read (or dropped, counted by reason in the log), ids
 * derived, one batched store; the answer is the submission's reference, the same for a resend.
 */
export async function ingestSubmission(
  db: Db,
  input: SubmissionInput,
  queue: Queue<IngestMessage> | null = null,
): Promise<FireflyResponse> {
  const dropped: Partial<Record<DropReason, number>> = {};
  const facts: IdentifiedFact[] = [];
  for (const raw of input.rows) {
    const read = readRow(raw, input.now);
    if ("drop" in read) dropped[read.drop] = (dropped[read.drop] ?? 0) + 1;
    else facts.push({ ...read, id: await factId(input.product, read) });
  }
  if (Object.keys(dropped).length > 0) log("info", "firefly rows dropped", { product: input.product, dropped });
  const ref = await submissionRef(input.product, input.rows);
  const { parts, unattributed } = toRows(facts, {
    product: input.product,
    version: input.version,
    where: geo(input.cf),
    now: input.now,
    ref,
    newUuid: input.newUuid,
  });
  // Firefly sends no installation key: its instances stay keyless (browser reference only).
  for (const p of parts) p.instance = { ...p.instance, ...(await identity(p.instance.id, null)) };
  if (queue) {
    // Queued: one message per installation, the unattributed facts in <= 120 KB slices; a keyed
    // installation's rows are dropped by the consumer.
    const messages = parts.map((p) =>
      fitMessage({ kind: "ping", instance: p.instance, ping: p.ping, records: { facts: p.facts, exceptions: [] } }),
    );
    messages.push(...splitRows(unattributed, (slice) => ({ kind: "unattributed", rows: slice })));
    await sendMessages(queue, messages);
    return { uuid: ref };
  }
  const { refused } = await recordSubmission(db, parts, unattributed);
  // An id someone registered a key for (through /v1/ping) is not Firefly's to write: its rows are
  // dropped, and the batch is still answered 200 (a refusal would be resent every cron run).
  if (refused.length > 0)
    log("warn", "firefly rows refused: installation has a registered key", {
      product: input.product,
      installations: refused.length,
    });
  return { uuid: ref };
}
