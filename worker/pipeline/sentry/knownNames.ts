/**
 * What a Sentry event reveals about the machine or person behind it, for the shared scrubber
 * (schema/privacy/scrub.ts, through scrubException): the owners of home directories in its
 * frames' paths (`/home/alice/...`, `C:\Users\bob\...`) and its `server_name` (and that name's
 * first label). The scrubber replaces them wherever they appear in the type, message and frames.
 * Fields that are never read (user, request, breadcrumbs, frame vars and source lines, contexts,
 * modules, extra) need no scrubbing: the wire schema strips them before any step runs.
 */
import type { KnownSecrets } from "../../../schema/privacy/scrub";

const HOME =
  /(?:^|[\s'"(=:,])(?:\/(?:home|Users|export\/home|var\/home|usr\/home)\/|[A-Za-z]:[\\/]+(?:Users|Documents and Settings)[\\/]+)([^\\/\s'"]+)/g;

/** User names revealed by home directories in `texts`. */
export function homeOwners(texts: Array<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const t of texts) for (const m of (t ?? "").matchAll(HOME)) out.add(m[1]!);
  return [...out];
}

/** The known secrets of an event: home-directory owners and the server name (the scrubber skips common names such as "none"). */
export function knownNames(
  paths: Array<string | null | undefined>,
  serverName: string | null | undefined,
): KnownSecrets {
  const host = (serverName ?? "").trim();
  return { users: homeOwners(paths), hosts: host ? [...new Set([host, host.split(".")[0]!])] : [] };
}
