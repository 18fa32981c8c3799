import type { UpdateNotice } from "./report/answer.ts";
import { detectCi } from "./report/ci.ts";
import type { ConsentInputs } from "./consent/decide.ts";
import { stateDir } from "./state/files.ts";
import type { HostData } from "./report/payload.ts";
import type { ReporterContext } from "./report/reporter.ts";
import type { ScheduleOptions } from "./report/scheduler.ts";
import type { TransportOptions } from "./report/transport.ts";
import type { ConsentState } from "./consent/words.ts";
import { parseWord } from "./consent/words.ts";

/** How a host product embeds the client. Only `product` and `endpoint` are required. */
export interface TelemetryOptions extends ScheduleOptions {
  /** Product slug as the worker knows it, e.g. "ferretdb". Names the data dir. */
  product: string;
  /** The host's version, e.g. "2.1.0" (the worker compares it with the latest release). */
  version?: string;
  /** Base URL of the Candor worker, e.g. "https://telemetry.example.com". */
  endpoint: string;
  /** Env var prefix: `<PREFIX>_TELEMETRY`, `<PREFIX>_TELEMETRY_DEBUG`. Default: product upper-cased. */
  prefix?: string;
  /** State dir. Default `$XDG_DATA_HOME/<product>` (~/.local/share/<product>). */
  dir?: string;
  /** The product's default: "enabled", "disabled" (opt-in products) or "undecided" (default). */
  productDefault?: ConsentState;
  /** Command line to read `--telemetry=<word>` / `--telemetry <word>` from (default process.argv). */
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Consent inputs the host knows: active licence, config-file and admin settings. */
  licensed?: boolean;
  config?: string | boolean;
  admin?: string | boolean;
  /** Installation ids that must never be used (e.g. one every installation once shared). */
  knownBadIds?: string[];
  /** The platform data of each report (counts, config, licence type). */
  collect?: () => HostData | Promise<HostData>;
  /**
   * How long collect() may take (default 5 s; at most 3 s for the final report of stop()):
   * past it, the report goes without platform data and the host's promise is left alone.
   */
  collectTimeoutMs?: number;
  /** False when the host will call markInitialised() once it is ready (default true). */
  initialised?: boolean;
  /** First-run notice: its version (bump it to show a changed notice again) and text. */
  noticeVersion?: number;
  notice?: string;
  /** Where the host documents its telemetry (the default notice links to it). */
  privacyUrl?: string;
  /** Update notices and security alerts from the worker's answer. */
  onUpdate?: (notice: UpdateNotice) => void;
  /** Where the client's log lines go (default stderr). */
  log?: (line: string) => void;
  /** Called after each scheduled report with its outcome ("skipped" when another process reports). */
  onReport?: (outcome: { status: string; detail: string; serverUuid: string | null }) => void;
  /** The host's uptime in seconds for each report (default process.uptime(); undefined leaves it out). */
  uptime?: () => number | undefined;
  transport?: TransportOptions;
  now?: () => number;
}

/** Default deadline of the host's collect(). */
export const COLLECT_TIMEOUT_MS = 5_000;

/** `--telemetry=<word>` or `--telemetry <word>` in argv. */
export function flagValue(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--telemetry=")) return a.slice("--telemetry=".length);
    if (a === "--telemetry") return argv[i + 1] ?? "";
  }
  return undefined;
}

export function defaultPrefix(product: string): string {
  return product.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The consent inputs these options and the environment give (persisted state added by the caller). */
export function consentInputs(o: TelemetryOptions, persisted: ConsentState | undefined): ConsentInputs {
  const env = o.env ?? process.env;
  const prefix = o.prefix ?? defaultPrefix(o.product);
  const argv = o.argv ?? process.argv;
  return {
    prefix,
    flag: flagValue(argv.slice(2)),
    env: env[`${prefix}_TELEMETRY`],
    doNotTrack: env.DO_NOT_TRACK,
    // The whole argv[0] and argv[1], as FerretDB checks it: a `.../donottrack/` directory counts too.
    executable: [argv[0], argv[1]].filter(Boolean).join(" "),
    licensed: o.licensed,
    config: o.config,
    admin: o.admin,
    persisted,
    productDefault: o.productDefault ?? "undecided",
  };
}

/** Debug mode: `<PREFIX>_TELEMETRY_DEBUG` set to a true word. */
export function debugMode(o: TelemetryOptions): boolean {
  const v = (o.env ?? process.env)[`${o.prefix ?? defaultPrefix(o.product)}_TELEMETRY_DEBUG`];
  try {
    return v !== undefined && parseWord("DEBUG", v) === "enabled";
  } catch {
    return false;
  }
}

export function resolvedDir(o: TelemetryOptions): string {
  return stateDir(o.product, o.dir, o.env ?? process.env);
}

export function ciOf(o: TelemetryOptions): string | undefined {
  return detectCi(o.env ?? process.env);
}

/** Where log lines go: the `log` option, else stderr with the product's prefix. */
export function clientLog(o: TelemetryOptions): (line: string) => void {
  return o.log ?? ((line) => process.stderr.write(`[${o.product} telemetry] ${line}\n`));
}

/** What one report needs, from the options and the client's identity (id and key). */
export function reporterContext(
  o: TelemetryOptions,
  dir: string,
  identity: { instanceId: string; instanceKey?: string },
  log: (l: string) => void,
  now: () => number,
): ReporterContext {
  return {
    dir,
    product: o.product,
    endpoint: o.endpoint,
    version: o.version,
    instanceId: identity.instanceId,
    instanceKey: identity.instanceKey,
    ci: ciOf(o),
    debug: debugMode(o),
    uptime: o.uptime ?? (() => process.uptime()),
    collect: o.collect,
    collectTimeoutMs: o.collectTimeoutMs ?? COLLECT_TIMEOUT_MS,
    transport: o.transport ?? {},
    log,
    onUpdate: o.onUpdate,
    now,
  };
}
