import os from "node:os";
import { pingLimits, pingRequest, type CountTree, type PingRequest } from "@candor-telemetry/schema/wire/ping";
import type { RecordEntry } from "../ledger/ledger.ts";
import { scrubber } from "../ledger/scrub.ts";
import { isSecretKey } from "@candor-telemetry/schema/privacy/scrub";

/** What the host adds to each report (FlowFuse's `platform`): counts (flat or nested), config, licence type. */
export interface HostData {
  counts?: CountTree;
  config?: Record<string, unknown>;
  license?: { type?: string };
}

export interface PayloadBase {
  instanceId: string;
  product: string;
  version?: string;
  /** CI service name (detectCi) when running in CI: reported as env.ci. */
  ci?: string;
  uptimeSeconds?: number;
}

/** The records a report carries: the oldest pending first, within the wire bounds. */
export function pickRecords(pending: RecordEntry[]): { facts: RecordEntry[]; exceptions: RecordEntry[] } {
  return {
    facts: pending.filter((e) => e.kind !== "exception").slice(0, pingLimits.facts),
    exceptions: pending.filter((e) => e.kind === "exception").slice(0, pingLimits.exceptions),
  };
}

type Picked = { facts: RecordEntry[]; exceptions: RecordEntry[] };

/**
 * buildPayload, leaving out the newest records (exceptions first) until the JSON fits the
 * worker's body limit; records left out stay pending for the next report.
 */
export function fitPayload(
  base: PayloadBase,
  host: HostData | undefined,
  records: Picked,
): { payload: PingRequest; records: Picked } {
  let picked = records;
  for (;;) {
    const payload = buildPayload(base, host, picked);
    const size = Buffer.byteLength(JSON.stringify(payload), "utf8");
    if (size <= pingLimits.bodyBytes || (!picked.facts.length && !picked.exceptions.length))
      return { payload, records: picked };
    picked = picked.exceptions.length
      ? { ...picked, exceptions: picked.exceptions.slice(0, -1) }
      : { ...picked, facts: picked.facts.slice(0, -1) };
  }
}

/** Builds the report. Validates it against the shared wire schema (throws a ZodError when the host data is out of bounds). */
export function buildPayload(
  base: PayloadBase,
  host: HostData | undefined,
  records: { facts: RecordEntry[]; exceptions: RecordEntry[] },
): PingRequest {
  const env: Record<string, string> = { nodejs: process.version.replace(/^v/, "") };
  if (base.version) env[base.product] = base.version;
  if (base.ci) env.ci = base.ci;
  const platform = host && (host.counts || host.config || host.license) ? scrubHost(host) : undefined;
  const facts = records.facts.flatMap((e) =>
    e.kind === "feature" || e.kind === "recurring"
      ? [{ id: e.id, kind: e.kind, key: e.key, value: e.value, collectedAt: e.collectedAt }]
      : [],
  );
  const exceptions = records.exceptions.flatMap((e) =>
    e.kind === "exception"
      ? [
          {
            id: e.id,
            type: e.type,
            message: e.message,
            ...(e.stack === undefined ? {} : { stack: e.stack }),
            collectedAt: e.collectedAt,
          },
        ]
      : [],
  );
  const payload = {
    instanceId: base.instanceId,
    product: base.product,
    ...(base.version ? { version: base.version } : {}),
    os: { type: os.type(), release: os.release(), arch: os.arch() },
    env,
    ...(platform ? { platform } : {}),
    ...(base.uptimeSeconds === undefined ? {} : { uptime: Math.floor(base.uptimeSeconds) }),
    ...(facts.length ? { facts } : {}),
    ...(exceptions.length ? { exceptions } : {}),
  };
  return pingRequest.parse(payload);
}

/**
 * The host's data under the privacy contract: every string of `config` and the licence type
 * scrubbed like exception text, and a value under a key that names a secret (`db_password`,
 * `apiKey`: isSecretKey) replaced whatever it looks like. Counts are numbers; licence ids are never sent.
 */
function scrubHost(host: HostData): HostData {
  const scrub = hostScrubber();
  const clean = (v: unknown, key: string): unknown => {
    if (typeof v === "string") return isSecretKey(key) ? "<secret>" : scrub(v);
    if (Array.isArray(v)) return v.map((x) => clean(x, key));
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, clean(x, k)]));
    return v;
  };
  return {
    ...(host.counts ? { counts: host.counts } : {}),
    ...(host.config ? { config: clean(host.config, "") as Record<string, unknown> } : {}),
    ...(host.license ? { license: host.license.type === undefined ? {} : { type: scrub(host.license.type) } } : {}),
  };
}
let cached: ((text: string) => string) | undefined;
const hostScrubber = () => (cached ??= scrubber());
