/**
 * FerretDB's 201 answer, built from the ping pipeline's update notice (ping/updates.ts: the same
 * release and alert rules as /v1/ping). FerretDB reads only strings and a bool here, logs
 * `update_info` verbatim and shows it in mongosh's startup warnings even when update_available is
 * false, so the alerts go into it too.
 */
import type { FerretdbResponse } from "../../../schema";
import type { updateNotice } from "../ping/updates";

/** Longest update_info sent (one log line / one startup warning). */
export const UPDATE_INFO_MAX = 1000;

/** `latest` in the client's own spelling: a leading "v" exactly when the client's version has one. */
export function inClientFormat(latest: string, current: string | null): string {
  const bare = latest.replace(/^v/i, "");
  return current?.startsWith("v") ? `v${bare}` : bare;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export function beaconAnswer(current: string | null, notice: ReturnType<typeof updateNotice>): FerretdbResponse {
  const parts: string[] = [];
  // Nothing newer: the client's own version (v1.0.0 flags an update whenever the two strings differ).
  let latest = current ?? "";
  if (notice.update_available && notice.update_info) {
    const { version, info, url } = notice.update_info;
    latest = inClientFormat(version, current);
    parts.push(
      oneLine(`A new version is available: ${latest} (current: ${current ?? "unknown"}). ${info ?? ""} ${url ?? ""}`),
    );
  }
  for (const a of notice.alerts) parts.push(oneLine(`[${a.level}] ${a.message} ${a.url ?? ""}`));
  const info = parts.join(" | ");
  return {
    latest_version: latest,
    update_available: notice.update_available,
    update_info: info.length > UPDATE_INFO_MAX ? `${info.slice(0, UPDATE_INFO_MAX - 1)}…` : info,
  };
}
