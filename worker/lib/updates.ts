import semver from "semver";
import type { PingAlert, PingResponse } from "../../schema";
import type { AlertRow, ReleaseRow } from "../store/pings";

/** Parses "v1.2.3", "1.2.3-beta.1" etc.; undefined when it is not a semantic version. */
export function parseVersion(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  return semver.valid(semver.clean(v, { loose: true }) ?? "") ?? undefined;
}

/** Whether `range` is a valid semver range (for alerts). */
export function isValidRange(range: string): boolean {
  return semver.validRange(range, { loose: true }) !== null;
}

type UpdateFields = Pick<PingResponse, "latest_version" | "update_available" | "update_info" | "alerts">;

/**
 * The upgrade notice for an instance on `current`: update_available is a semver comparison
 * (pre-releases ordered as semver orders them); alerts are those whose `affects` range the
 * current version satisfies (pre-releases included). Unknown/invalid version: no alerts, no update.
 */
export function updateNotice(current: string | undefined, release: ReleaseRow | undefined, alerts: AlertRow[]): UpdateFields {
  const cur = parseVersion(current);
  const latest = release ? parseVersion(release.version) : undefined;
  const matching: PingAlert[] = cur
    ? alerts
        .filter((a) => semver.satisfies(cur, a.affects, { includePrerelease: true, loose: true }))
        .map((a) => ({ id: a.id, level: a.level, message: a.message, url: a.url }))
    : [];
  return {
    latest_version: release?.version ?? null,
    update_available: Boolean(cur && latest && semver.lt(cur, latest)),
    update_info: release ? { version: release.version, info: release.info, url: release.url } : null,
    alerts: matching,
  };
}
