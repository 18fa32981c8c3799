/**
 * The FerretDB beacon steps, in order: parse -> validate -> normalize -> geo (ping/steps.ts) ->
 * strip -> toRows. Each is small and pure; the product, time and ids are passed in.
 */
import { ferretdbReport, type FerretdbReport } from "../../../schema";
import { publicValue } from "../../../schema/privacy/scrub";
import type { CommandCount } from "../../../schema/tables";
import { HttpError } from "../../lib/error";
import { parseJsonWithSource } from "../../lib/json";
import { toHex } from "../../lib/hex";
import { utcDay } from "../../lib/time";
import { validate } from "../../lib/validate";
import type { InstanceRow, PingRow } from "../../store/pings";
import { buildFacts } from "./build";
import { foldCommands } from "./commands";
import type { Geo } from "../ping/steps";
import { uptimeSeconds } from "./uptime";

export interface ParsedReport {
  body: unknown;
  /** JSON text of the top-level `uptime` (an int64 of nanoseconds JSON.parse may round). */
  uptimeSource: string | undefined;
}

/** Step 1: UTF-8 JSON (else 400 invalid_json), keeping uptime's source text. */
export function parseReport(bytes: Uint8Array): ParsedReport {
  const { value, source } = parseJsonWithSource(bytes, "uptime");
  return { body: value, uptimeSource: source };
}

export interface ValidReport {
  report: FerretdbReport;
  uptimeSource: string | undefined;
}

/** Step 2: a JSON object matching ferretdbReport; anything else -> 400 invalid_field with its path. */
export function validateReport(parsed: ParsedReport): ValidReport {
  const { body } = parsed;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_field", "$: expected a JSON object", { path: "$" });
  }
  return { report: validate(ferretdbReport, body), uptimeSource: parsed.uptimeSource };
}

export interface NormalReport {
  product: string;
  instanceId: string;
  version: string | null;
  osType: string | null;
  osArch: string | null;
  uptime: number | null;
  report: FerretdbReport;
}

/** Step 3: the product, a lower-case instance id, uptime in whole seconds. */
export function normalize(valid: ValidReport, product: string): NormalReport {
  const { report } = valid;
  return {
    product,
    instanceId: report.uuid.toLowerCase(),
    // free text: dropped when it holds anything private (schema/privacy/scrub.ts)
    version: publicValue(report.version, { version: true }) || null,
    osType: publicValue(report.os) || null,
    osArch: publicValue(report.arch) || null,
    uptime: uptimeSeconds(valid.uptimeSource, report.uptime),
    report,
  };
}

export interface StrippedReport extends NormalReport {
  env: Record<string, string>;
  config: Record<string, string> | null;
  commands: CommandCount[] | null;
}

/**
 * Step 5: keep coarse, non-identifying facts only: the build facts of build.ts (no `commit`,
 * `branch`, `vcs.revision`, `vcs.time`, nor the full database version strings) and the
 * command_metrics folded into MongoDB's vocabularies (commands.ts).
 */
export function strip(n: NormalReport): StrippedReport {
  const { env, config } = buildFacts(n.report);
  return { ...n, env, config, commands: foldCommands(n.report.command_metrics) };
}

export interface RowContext {
  uuid: string;
  now: number;
  /** Derived from the body: the same report sent twice is stored once. */
  idempotencyKey: string;
}

/** Step 6: the instance upsert row and the ping row (the ping pipeline's tables). */
export function toRows(s: StrippedReport, where: Geo, ctx: RowContext): { instance: InstanceRow; ping: PingRow } {
  const common = {
    product: s.product,
    version: s.version,
    osType: s.osType,
    osRelease: null,
    osArch: s.osArch,
    licenseType: null,
  };
  return {
    instance: { id: s.instanceId, firstSeen: ctx.now, lastSeen: ctx.now, pingCount: 0, ...common },
    ping: {
      uuid: ctx.uuid,
      instanceId: s.instanceId,
      idempotencyKey: ctx.idempotencyKey,
      receivedAt: ctx.now,
      day: utcDay(ctx.now),
      env: s.env,
      counts: null,
      config: s.config,
      commands: s.commands,
      uptime: s.uptime,
      country: where.country,
      asn: where.asn,
      ...common,
    },
  };
}

/** The ping's idempotency key: a digest of the exact body, so a replayed report stores nothing new. */
export async function reportKey(bytes: Uint8Array): Promise<string> {
  return `beacon:${toHex(await crypto.subtle.digest("SHA-256", bytes)).slice(0, 40)}`;
}
