import semver from "semver";

/** Parses "v1.2.3", "1.2.3-beta.1" etc.; undefined when it is not a semantic version. */
export function parseVersion(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  return semver.valid(semver.clean(v, { loose: true }) ?? "") ?? undefined;
}

/** Whether `range` is a valid semver range (for alerts). */
export function isValidRange(range: string): boolean {
  return semver.validRange(range, { loose: true }) !== null;
}
