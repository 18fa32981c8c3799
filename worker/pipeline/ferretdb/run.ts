import type { FerretdbResponse } from "../../../schema";
import type { Db } from "../../store/db";
import { recordPing } from "../../store/pings";
import { HttpError } from "../../lib/error";
import { identity } from "../ping/identity";
import { geo } from "../ping/steps";
import { updateNotice } from "../ping/updates";
import { beaconAnswer } from "./answer";
import { normalize, reportKey, strip, toRows, type ValidReport } from "./steps";
import { productNotices } from "../../store/notices";
import type { IngestMessage } from "../queue/message";
import { fitMessage } from "../queue/split";
import { sendMessages } from "../queue/send";

export interface BeaconInput {
  valid: ValidReport; // output of parseReport + validateReport, run by the route before rate limiting
  bytes: Uint8Array; // the body as received (its digest dedupes a replay)
  product: string;
  cf: { country?: unknown; asn?: unknown } | undefined;
  uuid: string;
  now: number;
}

/**
 * The beacon pipeline: steps 3-6, one batched store (the ping's tables, keyless instance), then
 * FerretDB's answer. A uuid with a registered installation key is refused (403), nothing written.
 */
export async function ingestBeacon(
  db: Db,
  input: BeaconInput,
  queue: Queue<IngestMessage> | null = null,
): Promise<FerretdbResponse> {
  const clean = strip(normalize(input.valid, input.product));
  const rows = toRows(clean, geo(input.cf), {
    uuid: input.uuid,
    now: input.now,
    idempotencyKey: await reportKey(input.bytes),
  });
  // FerretDB sends no installation key: its instances stay keyless (browser reference only).
  const instance = { ...rows.instance, ...(await identity(clean.instanceId, null)) };
  if (queue) {
    // Queued: the notice from the cached release and alerts; a keyed uuid is dropped by the consumer.
    const notices = await productNotices(db, clean.product, input.now);
    const records = { facts: [], exceptions: [] };
    await sendMessages(queue, [fitMessage({ kind: "ping", instance, ping: rows.ping, records })]);
    return beaconAnswer(clean.version, updateNotice(clean.version ?? undefined, notices.release, notices.alerts));
  }
  const stored = await recordPing(db, instance, rows.ping);
  if (stored.refused) {
    // Someone registered a key for this uuid through /v1/ping: nothing written, as on that route.
    throw new HttpError(
      403,
      "instance_key_mismatch",
      "This installation has a registered key; the request did not present it.",
    );
  }
  return beaconAnswer(clean.version, updateNotice(clean.version ?? undefined, stored.release, stored.alerts));
}
