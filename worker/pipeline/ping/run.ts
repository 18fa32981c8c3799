import type { PingResponse } from "../../../schema";
import { updateNotice } from "./updates";
import type { Db } from "../../store/db";
import { recordPing } from "../../store/pings";
import { exceptionRows, factRows } from "./records";
import { geo, normalize, strip, toRows, type PingContext, type ValidPing } from "./steps";

export interface PingInput extends PingContext {
  valid: ValidPing; // output of validatePing (step 1), run by the route before rate limiting
  defaultProduct: string;
  cf: { country?: unknown; asn?: unknown } | undefined;
}

/** The ping pipeline: steps 2-6 in order, then one batched store, then the upgrade notice. */
export async function ingestPing(db: Db, input: PingInput): Promise<PingResponse> {
  const { ping, ignored } = input.valid;
  const clean = strip(normalize(ping, input.defaultProduct));
  const rows = toRows(clean, geo(input.cf), input);
  const ctx = { instanceId: clean.instanceId, version: clean.version ?? null, now: input.now };
  const records = { facts: factRows(clean.facts, ctx), exceptions: await exceptionRows(clean.exceptions, ctx) };
  const stored = await recordPing(db, rows.instance, rows.ping, records);
  return { uuid: stored.uuid, ...updateNotice(clean.version, stored.release, stored.alerts), ignored };
}
