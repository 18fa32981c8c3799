/**
 * The FerretDB beacon steps, in order: parse -> validate -> normalize -> geo (ping/steps.ts) ->
 * strip -> toRows. Each is small and pure; the product, time and ids are passed in.
 */
import { ferretdbReport, type FerretdbReport } from "../../../schema";
import type { CommandCount } from "../../../schema/tables";
import { HttpError } from "../../lib/error";
import { parseJsonWithSource } from "../../lib/json";
import { toHex } from "../../lib/hex";
import { utcDay } from "../../lib/time";
import { validate } from "../../lib/validate";
import type { InstanceRow, PingRow } from "../../store/pings";
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
    version: report.version || null,
    osType: report.os || null,
    osArch: report.arch || null,
    uptime: uptimeSeconds(valid.uptimeSource, report.uptime),
    report,
  };
}

/** Package names of FerretDB's Taskfile; `docker-local-<file>` names a local file and is cut to its prefix. */
const PACKAGES = new Set([
  "docker", "docker-development", "docker-eval", "docker-eval-dev", "deb", "deb-development",
  "rpm", "rpm-development", "bin", "bin-development", "build-host", "unknown",
]); // prettier-ignore
/** v1.x backends: the --handler flag (v1.3-v1.12) or the first word of the database's version() (v1.13+). */
const BACKENDS = new Set(["PostgreSQL", "SQLite", "MySQL", "pg", "sqlite", "tigris", "hana", "mysql"]);
/** build_environment keys kept (build settings, no revision, no time). */
const BUILD_KEYS = [
  "-buildmode",
  "-compiler",
  "-trimpath",
  "CGO_ENABLED",
  "GOARCH",
  "GOOS",
  "GOAMD64",
  "vcs",
  "vcs.modified",
];
const token = /^[\w.+-]{1,32}$/;

const leadingVersion = (text: string | undefined) => /^(\d{1,4}(?:\.\d{1,4}){0,2})\b/.exec(text ?? "")?.[1];

export function packageName(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (PACKAGES.has(p)) return p;
  return p.startsWith("docker-local-") ? "docker-local" : "other";
}

export interface StrippedReport extends NormalReport {
  env: Record<string, string>;
  config: Record<string, string> | null;
  commands: CommandCount[] | null;
}

/**
 * Step 5: keep coarse, non-identifying build facts only. Dropped: `commit`, `branch` and
 * `vcs.revision` (they name private forks), `vcs.time`, the full database version strings
 * (reduced to version numbers) and every command, argument or result name outside the MongoDB
 * vocabularies (commands.ts).
 */
export function strip(n: NormalReport): StrippedReport {
  const r = n.report;
  const build = r.build_environment ?? {};
  const env: Record<string, string | undefined> = {
    go: [build["go.version"], build["go.runtime"]].find(
      (v): v is string => typeof v === "string" && /^go[\w.+-]{1,30}$/.test(v),
    ),
    package: packageName(r.package),
    debug: r.debug === undefined ? undefined : String(r.debug),
    dirty: r.dirty === undefined ? undefined : String(r.dirty),
    postgresql: /PostgreSQL (\d{1,4}(?:\.\d{1,4}){0,2})\b/.exec(r.postgresql_version ?? "")?.[1],
    documentdb: leadingVersion(r.documentdb_version),
    backend: r.handler === undefined ? undefined : BACKENDS.has(r.handler) ? r.handler : "other",
    backend_version: leadingVersion(r.handler_version),
  };
  const config: Record<string, string> = {};
  for (const key of BUILD_KEYS) {
    const v = build[key];
    if ((typeof v === "string" || typeof v === "number" || typeof v === "boolean") && token.test(String(v))) {
      config[key] = String(v);
    }
  }
  return {
    ...n,
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    config: Object.keys(config).length > 0 ? config : null,
    commands: foldCommands(r.command_metrics),
  };
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
