import semver from "semver";
import type { PingAlert, PingResponse } from "../../../schema";
import type { AlertRow, ReleaseRow } from "../../store/pings";
import { parseVersion } from "../../lib/version";

type UpdateFields = Pick<PingResponse, "latest_version" | "update_available" | "update_info" | "alerts">;

/**
 * The upgrade notice for an instance on `current`: update_available is a semver comparison
 * (pre-releases ordered as semver orders them); alerts are those whose `affects` range the
 * current version satisfies (pre-releases included). Unknown/invalid version: no alerts, no update.
 */
export function updateNotice(
  current: string | undefined,
  release: ReleaseRow | undefined,
  alerts: AlertRow[],
): UpdateFields {
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
