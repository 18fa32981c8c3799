/**
 * The page location as stored: a path (no scheme, host, query, matrix parameters or plain
 * fragment; id-like segments replaced by `:id`) and a referrer reduced to its host name.
 */
import { scrub } from "../../../schema/privacy/scrub";
import { captureLimits } from "../../../schema/wire/capture";
import { decoded, isIpLiteral, looksLikeId } from "./sensitive";

/**
 * `/a;jsessionid=X/7f3a…-uuid/b` -> `/a/:id/b`: matrix parameters dropped; a segment that is an
 * id, or holds anything private (an IP address with or without a port, `/devices/192.0.2.78/logs`;
 * an e-mail, a host name, a token) becomes `:id`.
 */
function cleanSegments(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      const s = segment.split(";")[0]!;
      return s && (looksLikeId(s) || scrub(decoded(s)).found.length > 0) ? ":id" : s;
    })
    .join("/");
}

/**
 * Path only: drops scheme, host, query and fragment; always starts with `/`; bounded. A hash
 * route (`#/projects/1`, `#!/projects/1`: Vue's createWebHashHistory, React's HashRouter) is part
 * of the page: its path is kept as `#/projects/1`, without its own query.
 * Kept percent-encoded: decoding could turn `%3F` back into a `?`.
 */
export function pathOnly(value: string | undefined): string | null {
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value, "http://x.invalid");
  } catch {
    return null;
  }
  const route = /^#!?(\/[^?#]*)/.exec(url.hash)?.[1];
  const path = cleanSegments(url.pathname) + (route === undefined ? "" : `#${cleanSegments(route)}`);
  return path.slice(0, captureLimits.path) || "/";
}

/** Referrer reduced to its host name; `$direct`, junk and IP literals -> null. */
export function referrerDomain(referrer: string | undefined, domain: string | undefined): string | null {
  for (const candidate of [referrer, domain && `https://${domain}`]) {
    if (!candidate || candidate === "$direct") continue;
    let host: string;
    try {
      host = new URL(candidate).hostname.toLowerCase();
    } catch {
      continue; // not a URL: try the next candidate
    }
    if (isIpLiteral(host) || scrub(host).found.length > 0) return null; // an address, a .local/.internal name
    if (host) return host.slice(0, 253);
  }
  return null;
}
