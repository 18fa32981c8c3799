/**
 * The ping ingestion steps, in order: validate -> scrubPing (scrubPing.ts, with flattenCounts)
 * -> normalize -> geo -> strip -> toRows. Each is small and pure; time, ids and the request's
 * cf object are passed in.
 */
import { pingKnownKeys, pingRequest, type PingRequest } from "../../../schema";
import { HttpError } from "../../lib/error";
import { validate } from "../../lib/validate";
import { utcDay } from "../../lib/time";
import type { InstanceRow, PingRow } from "../../store/pings";
import type { ScrubbedPing } from "./scrubPing";

export interface ValidPing {
  ping: PingRequest;
  /** Unknown top-level keys: not stored, answered back. */
  ignored: string[];
}

/** Step 1: schema validation. Non-object -> invalid_field at `$`. */
export function validatePing(body: unknown): ValidPing {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_field", "$: expected a JSON object", { path: "$" });
  }
  const ignored = Object.keys(body).filter((k) => !pingKnownKeys.has(k));
  return { ping: validate(pingRequest, body), ignored };
}

export type NormalPing = ScrubbedPing & { product: string };

/** Step 3: product defaults to the worker's; version falls back to env[product] (FlowFuse). */
export function normalize(ping: ScrubbedPing, defaultProduct: string): NormalPing {
  const product = ping.product ?? defaultProduct;
  return { ...ping, product, version: ping.version ?? ping.env?.[product] };
}

export interface Geo {
  country: string | null;
  asn: number | null;
}

/** Step 4: coarse location from request.cf (absent outside Cloudflare): country and ASN only. */
export function geo(cf: { country?: unknown; asn?: unknown } | undefined): Geo {
  const country = typeof cf?.country === "string" && /^[A-Z0-9]{2}$/.test(cf.country) ? cf.country : null;
  const asn = typeof cf?.asn === "number" && Number.isInteger(cf.asn) ? cf.asn : null;
  return { country, asn };
}

/** Step 5: drop what could identify a customer: the licence id (only its type is kept). */
export function strip(ping: NormalPing): NormalPing {
  if (!ping.platform?.license) return ping;
  const { license, ...platform } = ping.platform;
  return { ...ping, platform: { ...platform, license: { type: license.type } } };
}

export interface PingContext {
  uuid: string;
  now: number;
  idempotencyKey: string | null;
}

/** Step 6: the instance upsert row and the ping row. */
export function toRows(ping: NormalPing, where: Geo, ctx: PingContext): { instance: InstanceRow; ping: PingRow } {
  const common = {
    product: ping.product,
    version: ping.version ?? null,
    osType: ping.os?.type ?? null,
    osRelease: ping.os?.release ?? null,
    osArch: ping.os?.arch ?? null,
    licenseType: ping.platform?.license?.type ?? null,
  };
  return {
    // pingCount starts at 0: the conditional update in recordPing adds this ping.
    instance: { id: ping.instanceId, firstSeen: ctx.now, lastSeen: ctx.now, pingCount: 0, ...common },
    ping: {
      uuid: ctx.uuid,
      instanceId: ping.instanceId,
      idempotencyKey: ctx.idempotencyKey,
      receivedAt: ctx.now,
      day: utcDay(ctx.now),
      env: ping.env ?? null,
      counts: ping.platform?.counts ?? null,
      config: ping.platform?.config ?? null,
      uptime: ping.uptime === undefined ? null : Math.floor(ping.uptime),
      country: where.country,
      asn: where.asn,
      ...common,
    },
  };
}
