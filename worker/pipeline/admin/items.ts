/**
 * Stored rows -> admin answer items (schema/wire/admin.ts), one explicit mapping per row type:
 * every field is named, so a new or internal column (pings.idempotency_key, instances.key_hash,
 * the `day` buckets, instance_id inside a per-instance list) never reaches a client by accident.
 * Times are stored as ms since the epoch and answered as ISO 8601 UTC.
 */
import type {
  AdminAlert,
  AdminEvent,
  AdminException,
  AdminExceptionGroup,
  AdminFact,
  AdminInstance,
  AdminPing,
  AdminRelease,
} from "../../../schema/wire/admin";
import type { alerts, events, exceptions, facts, instances, pings, releases } from "../../../schema/tables";
import { isoTime } from "../../lib/time";

type Row<T extends { $inferSelect: unknown }> = T["$inferSelect"];

/** A server-set time (always a valid Date). */
const serverTime = (ms: number): string => new Date(ms).toISOString();

/** An instance as store/instances.ts reads it: every column but the key digest, plus whether one is registered. */
export type InstanceRow = Omit<Row<typeof instances>, "keyHash"> & { keyRegistered: boolean; country: string | null };

export function instanceItem(r: InstanceRow): AdminInstance {
  return {
    id: r.id,
    product: r.product,
    first_seen: serverTime(r.firstSeen),
    last_seen: serverTime(r.lastSeen),
    version: r.version,
    os_type: r.osType,
    os_release: r.osRelease,
    os_arch: r.osArch,
    license_type: r.licenseType,
    country: r.country,
    ping_count: r.pingCount,
    browser_ref: r.browserRef,
    key_registered: r.keyRegistered,
  };
}

export function pingItem(r: Row<typeof pings>): AdminPing {
  return {
    uuid: r.uuid,
    product: r.product,
    version: r.version,
    received_at: serverTime(r.receivedAt),
    os_type: r.osType,
    os_release: r.osRelease,
    os_arch: r.osArch,
    env: r.env,
    counts: r.counts,
    config: r.config,
    license_type: r.licenseType,
    uptime: r.uptime,
    country: r.country,
    asn: r.asn,
  };
}

export function factItem(r: Row<typeof facts>): AdminFact {
  return {
    id: r.id,
    kind: r.kind,
    key: r.key,
    value: r.value,
    collected_at: isoTime(r.collectedAt),
    received_at: serverTime(r.receivedAt),
  };
}

export function exceptionItem(r: Row<typeof exceptions>): AdminException {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    type: r.type,
    message: r.message,
    stack: r.stack,
    version: r.version,
    collected_at: isoTime(r.collectedAt),
    received_at: serverTime(r.receivedAt),
  };
}

/** A group row of store/records.ts listExceptions (aggregates: null only for an empty group). */
export function exceptionGroupItem(g: {
  fingerprint: string;
  type: string | null;
  count: number;
  firstSeen: number | null;
  lastSeen: number | null;
}): AdminExceptionGroup {
  return {
    fingerprint: g.fingerprint,
    type: g.type ?? "",
    count: g.count,
    first_seen: isoTime(g.firstSeen),
    last_seen: isoTime(g.lastSeen),
  };
}

export function eventItem(r: Row<typeof events>): AdminEvent {
  return {
    uuid: r.uuid,
    product: r.product,
    event: r.event,
    timestamp: isoTime(r.timestamp),
    received_at: serverTime(r.receivedAt),
    distinct_id: r.distinctId,
    session_id: r.sessionId,
    path: r.path,
    referrer_domain: r.referrerDomain,
    browser: r.browser,
    os: r.os,
    lib: r.lib,
    lib_version: r.libVersion,
    instance_ref: r.instanceRef,
    app_version: r.appVersion,
    license_type: r.licenseType,
    duration_ms: r.durationMs,
    props: r.props,
  };
}

export function releaseItem(r: Row<typeof releases>): AdminRelease {
  return { product: r.product, version: r.version, info: r.info, url: r.url, updated_at: serverTime(r.updatedAt) };
}

export function alertItem(r: Row<typeof alerts>): AdminAlert {
  return {
    id: r.id,
    product: r.product,
    affects: r.affects,
    level: r.level,
    message: r.message,
    url: r.url,
    created_at: serverTime(r.createdAt),
  };
}
