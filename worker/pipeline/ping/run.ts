import type { PingResponse } from "../../../schema";
import { updateNotice } from "./updates";
import type { Db } from "../../store/db";
import { recordPing } from "../../store/pings";
import { exceptionRows, factRows } from "./records";
import { scrubPing } from "./scrubPing";
import { geo, normalize, strip, toRows, type PingContext, type ValidPing } from "./steps";
import { identity } from "./identity";
import { HttpError } from "../../lib/error";
import { derivedUuid } from "../../lib/derivedUuid";
import { productNotices } from "../../store/notices";
import type { IngestMessage } from "../queue/message";
import { fitMessage } from "../queue/split";
import { sendMessages } from "../queue/send";

export interface PingInput extends PingContext {
  valid: ValidPing; // output of validatePing (step 1), run by the route before rate limiting
  defaultProduct: string;
  cf: { country?: unknown; asn?: unknown } | undefined;
  /** The installation key from `Authorization: Bearer`, or null (keyless clients, e.g. FlowFuse). */
  instanceKey: string | null;
}

/**
 * The submission uuid: derived from (instance, installation key digest, Idempotency-Key) when the
 * client sent an Idempotency-Key, so a retry gets the same uuid without reading anything;
 * otherwise the fresh one passed in. The key digest is part of it: a request that does not prove
 * the installation's key cannot name (and attach records to) the real client's ping.
 */
export async function pingUuid(
  instanceId: string,
  keyHash: string | null,
  idempotencyKey: string | null,
  fresh: string,
): Promise<string> {
  return idempotencyKey === null ? fresh : derivedUuid(`ping\n${instanceId}\n${keyHash ?? ""}\n${idempotencyKey}`);
}

/**
 * The ping pipeline: steps 2-8 in order, then the store, then the upgrade notice.
 *
 * With a queue (INGEST_MODE=queue) the rows go to it as one message and the notice comes from the
 * cached release and alerts (store/notices.ts): no D1 write and, most of the time, no D1 read.
 * The consumer stores the ping only when the instance's registered key matches (pingWrites); a
 * mismatch is dropped there, since answering it would need a read here.
 * Without a queue: one batched store; a ping for an instance whose registered key it does not
 * present is refused (403) with nothing written.
 */
export async function ingestPing(
  db: Db,
  input: PingInput,
  queue: Queue<IngestMessage> | null = null,
): Promise<PingResponse> {
  const { ping, ignored } = input.valid;
  const scrubbed = scrubPing(ping, input.idempotencyKey);
  const clean = strip(normalize(scrubbed.ping, input.defaultProduct));
  const who = await identity(clean.instanceId, input.instanceKey);
  // Derived only when queued: direct mode reads the first ping's uuid back in the same batch, and
  // keeps a repeated key's records out (they follow a ping this request did not insert).
  const key = queue ? scrubbed.idempotencyKey : null;
  const uuid = await pingUuid(clean.instanceId, who.keyHash, key, input.uuid);
  const rows = toRows(clean, geo(input.cf), { ...input, uuid, idempotencyKey: scrubbed.idempotencyKey });
  const ctx = { instanceId: clean.instanceId, version: clean.version ?? null, now: input.now };
  const records = { facts: factRows(clean.facts, ctx), exceptions: await exceptionRows(clean.exceptions, ctx) };
  const instance = { ...rows.instance, ...who };
  if (queue) {
    const notices = await productNotices(db, clean.product, input.now);
    await sendMessages(queue, [fitMessage({ kind: "ping", instance, ping: rows.ping, records })]);
    return {
      uuid,
      ...updateNotice(clean.version, notices.release, notices.alerts),
      ignored,
      dropped: scrubbed.dropped,
    };
  }
  const stored = await recordPing(db, instance, rows.ping, records);
  if (stored.refused)
    throw new HttpError(
      403,
      "instance_key_mismatch",
      "This installation has a registered key; the request did not present it.",
    );
  const notice = updateNotice(clean.version, stored.release, stored.alerts);
  return { uuid: stored.uuid, ...notice, ignored, dropped: scrubbed.dropped };
}
