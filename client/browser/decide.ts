/**
 * The consent decision: a pure function of the installation's licence and configuration and the
 * browser's Global Privacy Control signal. Rows are checked top to bottom; the first match wins.
 *
 * | # | condition                                   | allowed | reason                |
 * |---|---------------------------------------------|---------|-----------------------|
 * | 1 | no frontend token configured                | no      | no_token              |
 * | 2 | the browser sends Global Privacy Control    | no      | gpc                   |
 * | 3 | an active licence                           | yes     | licensed              |
 * | 4 | config file `telemetry.enabled: false`      | no      | config_file_disabled  |
 * | 5 | admin setting on                            | yes     | admin_enabled         |
 * | 6 | admin setting off                           | no      | admin_disabled        |
 * | 7 | config file `telemetry.enabled: true`       | yes     | config_file_enabled   |
 * | 8 | nothing decided                             | no      | undecided             |
 */
export interface License {
  /** The licence is valid now (not expired, not revoked). */
  active: boolean;
  /** Licence tier, sent as `candor_license_type`. The licence id is never sent. */
  type?: string;
}

export interface TelemetryConfig {
  /** The frontend project token (`phc_...`); `start({ token })` fills it in. */
  token?: string;
  /** The config file's `telemetry.enabled` (e.g. flowforge.yml). `false` beats the admin setting. */
  fileEnabled?: boolean;
  /** The admin UI's telemetry setting. */
  adminEnabled?: boolean;
}

export interface DecisionInput {
  license?: License | null;
  config?: TelemetryConfig | null;
  /** `navigator.globalPrivacyControl`. */
  gpc?: boolean;
}

export type Reason =
  | "no_token"
  | "gpc"
  | "licensed"
  | "config_file_disabled"
  | "admin_enabled"
  | "admin_disabled"
  | "config_file_enabled"
  | "undecided"
  /** Not from decide(): Candor.start() when the licence/config promise rejects ... */
  | "decision_failed"
  /** ... or when posthog-js cannot be loaded or started. Nothing is sent either way. */
  | "load_failed";

export interface Decision {
  allowed: boolean;
  reason: Reason;
}

export function decide({ license, config, gpc }: DecisionInput): Decision {
  const c = config ?? {};
  const is = (allowed: boolean, reason: Reason): Decision => ({ allowed, reason });
  if (!c.token) return is(false, "no_token");
  if (gpc) return is(false, "gpc");
  if (license?.active) return is(true, "licensed");
  if (c.fileEnabled === false) return is(false, "config_file_disabled");
  if (c.adminEnabled !== undefined) return c.adminEnabled ? is(true, "admin_enabled") : is(false, "admin_disabled");
  if (c.fileEnabled) return is(true, "config_file_enabled");
  return is(false, "undecided");
}
