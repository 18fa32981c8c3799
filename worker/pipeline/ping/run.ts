import type { PingResponse } from "../../../schema";
import { updateNotice } from "./updates";
import type { Db } from "../../store/db";
import { recordPing } from "../../store/pings";
import { exceptionRows, factRows } from "./records";
import { scrubPing } from "./scrubPing";
import { geo, normalize, strip, toRows, type PingContext, type ValidPing } from "./steps";
import { identity } from "./identity";
import { HttpError } from "../../lib/error";

export interface PingInput extends PingContext {
  valid: ValidPing; // output of validatePing (step 1), run by the route before rate limiting
  defaultProduct: string;
  cf: { country?: unknown; asn?: unknown } | undefined;
  /** The installation key from `Authorization: Bearer`, or null (keyless clients, e.g. FlowFuse). */
  instanceKey: string | null;
}

/**
 * The ping pipeline: steps 2-8 in order, then one batched store, then the upgrade notice. A ping
 * for an instance whose registered key it does not present is refused (403) with nothing written.
 */
export async function ingestPing(db: Db, input: PingInput): Promise<PingResponse> {
  const { ping, ignored } = input.valid;
  const scrubbed = scrubPing(ping, input.idempotencyKey);
  const clean = strip(normalize(scrubbed.ping, input.defaultProduct));
  const rows = toRows(clean, geo(input.cf), { ...input, idempotencyKey: scrubbed.idempotencyKey });
  const ctx = { instanceId: clean.instanceId, version: clean.version ?? null, now: input.now };
  const records = { facts: factRows(clean.facts, ctx), exceptions: await exceptionRows(clean.exceptions, ctx) };
  const instance = { ...rows.instance, ...(await identity(clean.instanceId, input.instanceKey)) };
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
