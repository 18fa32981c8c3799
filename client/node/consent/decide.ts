import { ConsentError, parseWord, type ConsentState } from "./words.ts";

/** Everything the consent decision reads; absent inputs are `undefined`. */
export interface ConsentInputs {
  /** The env var prefix of the host product, e.g. "FERRETDB" (names inputs in messages). */
  prefix: string;
  /** `--telemetry=<word>` from the command line. */
  flag?: string;
  /** `<PREFIX>_TELEMETRY`. */
  env?: string;
  /** `DO_NOT_TRACK`. */
  doNotTrack?: string;
  /** The executable name (process.argv[1] / argv0). */
  executable?: string;
  /** An active licence forces telemetry on. */
  licensed?: boolean;
  /** The config-file setting. */
  config?: string | boolean;
  /** The admin (UI / database) setting. */
  admin?: string | boolean;
  /** The choice persisted from the last run (CLI `enable`/`disable`, runtime toggles). */
  persisted?: ConsentState;
  /** The product's default. */
  productDefault: ConsentState;
}

export interface ConsentDecision {
  state: ConsentState;
  /** True when a runtime toggle (CLI enable/disable, client.enable()) cannot change the state. */
  locked: boolean;
  reason: string;
}

/** Which input decided, highest precedence first (CONSENT_SOURCES order). */
export const CONSENT_SOURCES = [
  "do-not-track",
  "executable",
  "licence",
  "flag",
  "env",
  "config",
  "admin",
  "saved",
  "default",
] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export type SourcedDecision = ConsentDecision & { source: ConsentSource };

function chosen(input: string, value: string | boolean | undefined): ConsentState | undefined {
  if (value === undefined) return undefined;
  const state = parseWord(input, value);
  return state === "undecided" ? undefined : state;
}

/**
 * The consent decision, pure. Precedence (first that applies wins):
 * DO_NOT_TRACK / `donottrack` executable > licence > flag > env > config > admin > persisted > default.
 * Locked (runtime toggles refused): DO_NOT_TRACK, the executable name, the licence, a flag or env
 * choice, and the config file (it beats the admin setting, so an admin toggle could not take
 * effect). The admin setting is NOT locked: the host's admin UI changes it through enable()/disable().
 */
export function decideConsent(i: ConsentInputs): ConsentDecision {
  const { state, locked, reason } = decideWithSource(i);
  return { state, locked, reason };
}

/** decideConsent, plus which input decided (recorded for the CLI). */
export function decideWithSource(i: ConsentInputs): SourcedDecision {
  const flagName = "--telemetry";
  const envName = `${i.prefix}_TELEMETRY`;
  const flag = chosen(flagName, i.flag);
  const env = chosen(envName, i.env);
  const config = chosen("config file telemetry setting", i.config);
  const admin = chosen("admin telemetry setting", i.admin);
  const dnt = i.doNotTrack !== undefined && parseWord("DO_NOT_TRACK", i.doNotTrack) === "enabled";
  const exe = (i.executable ?? "").toLowerCase().includes("donottrack");

  if (dnt || exe) {
    const why = dnt
      ? `DO_NOT_TRACK=${i.doNotTrack}`
      : `the executable name ${JSON.stringify(i.executable)} contains "donottrack"`;
    const explicit =
      flag === "enabled" ? `${flagName}=${i.flag}` : env === "enabled" ? `${envName}=${i.env}` : undefined;
    if (explicit)
      throw new ConsentError(
        flag === "enabled" ? flagName : envName,
        `${explicit} asks to enable telemetry, but ${why} disables it. Remove one of them.`,
      );
    return {
      state: "disabled",
      locked: true,
      source: dnt ? "do-not-track" : "executable",
      reason: `disabled by ${why}${i.licensed ? " (this wins over the licence)" : ""}`,
    };
  }
  if (i.licensed) {
    const over = [
      flag === "disabled" && flagName,
      env === "disabled" && envName,
      config === "disabled" && "the config file",
      admin === "disabled" && "the admin setting",
    ].filter(Boolean);
    const note = over.length ? `; the disable in ${over.join(", ")} does not apply to licensed installations` : "";
    return { state: "enabled", locked: true, source: "licence", reason: `enabled by the active licence${note}` };
  }
  if (flag) return { state: flag, locked: true, source: "flag", reason: `${flag} by ${flagName}=${i.flag}` };
  if (env) return { state: env, locked: true, source: "env", reason: `${env} by ${envName}=${i.env}` };
  if (config)
    return {
      state: config,
      locked: true,
      source: "config",
      reason: `${config} in the config file (its telemetry setting beats the admin setting; change it there)`,
    };
  if (admin) return { state: admin, locked: false, source: "admin", reason: `${admin} by the admin setting` };
  if (i.persisted && i.persisted !== "undecided")
    return {
      state: i.persisted,
      locked: false,
      source: "saved",
      reason: `${i.persisted} by a saved choice (enable/disable)`,
    };
  return {
    state: i.productDefault,
    locked: false,
    source: "default",
    reason: `${i.productDefault} by the product default`,
  };
}
