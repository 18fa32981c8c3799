/**
 * The one free-text scrubbing step of Sentry ingestion: exception types and values, frame module
 * and function names pass through `scrubText` before they are stored. It replaces URLs
 * (`<url>`), e-mail addresses (`<email>`), absolute paths (`<path>/file`, a bare home directory
 * `<home>`), IP addresses with their port (`<ip>`), values after secret-like keys and bearer
 * tokens (`<secret>`), UUIDs and runs of 16+ hex digits (`<id>`), long mixed tokens (`<secret>`),
 * and the names the event reveals (`<user>` for home-directory owners, `<host>` for
 * `server_name` and its first label) wherever no letter touches them.
 *
 * Until the shared scrubber (schema/privacy) exists this is the worker's own; fields that are
 * never read (user, request, breadcrumbs, frame vars and source lines, contexts, modules, extra)
 * need no scrubbing because the wire schema strips them before any step runs.
 */

/** Names that identify nobody: never learned, never replaced ("none" is vigilant's server_name). */
const COMMON_NAMES: ReadonlySet<string> = new Set(
  (
    "root admin administrator user users guest nobody daemon default public shared node app www www-data " +
    "ubuntu debian alpine runner docker localhost server home test dev none unknown null undefined " +
    "path email ip url secret id host"
  ).split(" "),
);

export interface Names {
  users: string[];
  hosts: string[];
}

const HOME =
  /(?:^|[\s'"(=:,])(?:\/(?:home|Users|export\/home|var\/home|usr\/home)\/|[A-Za-z]:[\\/]+(?:Users|Documents and Settings)[\\/]+)([^\\/\s'"]+)/g;

/** User names revealed by home directories in `texts` (`/home/alice/...`, `C:\Users\bob\...`). */
export function homeOwners(texts: Array<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const t of texts) for (const m of (t ?? "").matchAll(HOME)) out.add(m[1]!);
  return [...out];
}

/** The names of an event worth replacing: home-directory owners and the server name (and its first label). */
export function namesOf(paths: Array<string | null | undefined>, serverName: string | null | undefined): Names {
  const worth = (n: string) => n.length >= 2 && !COMMON_NAMES.has(n.toLowerCase());
  const host = (serverName ?? "").trim();
  const hosts = host ? [host, host.split(".")[0]!] : [];
  return { users: homeOwners(paths).filter(worth), hosts: [...new Set(hosts)].filter(worth) };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const basename = (p: string) =>
  p
    .split(/[\\/]+/)
    .filter(Boolean)
    .at(-1) ?? "";

/** Ordered replacements; each works on what the previous ones left. */
const RULES: Array<[RegExp, string | ((m: string, ...g: string[]) => string)]> = [
  [/\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s'"<>()]+/gi, "<url>"],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, "<email>"],
  [
    /\b(pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|auth(?:orization)?|credentials?)(["']?\s*[=:]\s*["']?)(?:(?:bearer|basic)\s+)?[^\s'",;&)\]}]+/gi,
    "$1$2<secret>",
  ],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, "$1 <secret>"],
  // Windows paths (C:\a\b, C:/a/b, JSON-escaped C:\\a) and UNC (\\server\share\f).
  [/(?:\b[A-Za-z]:|\\\\[^\s\\'"]+)(?:[\\/]+[^\\/\s'"<>|:*?]+)+[\\/]*/g, (m) => pathText(m)],
  // POSIX absolute paths of two or more segments, and ~/ paths.
  [
    /(?<![\w.:/~-])(?:~[\w.-]*)?(?:\/[^\s/'"<>():,;]+){2,}\/?|(?<![\w.:/-])~[\w.-]*\/[^\s'"<>():,;]*/g,
    (m) => pathText(m),
  ],
  [/(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\d.])/g, "<ip>"],
  [
    /(?<![\w:])\[?(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){5})[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\]?(?::\d{1,5})?(?![\w:])/gi,
    "<ip>",
  ],
  [/\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b|[0-9a-f]{16,}/gi, "<id>"],
  [
    /(?<![\w<])(?=[A-Za-z0-9+/_=-]*\d)(?=[A-Za-z0-9+/_=-]*[a-z])(?=[A-Za-z0-9+/_=-]*[A-Z])[A-Za-z0-9+/_=-]{20,}/g,
    "<secret>",
  ],
];

/** A home directory becomes `<home>`, any other path `<path>/` plus its file name. */
function pathText(path: string): string {
  const home =
    /^(?:~[^\\/]*|\/(?:home|Users|export\/home|var\/home|usr\/home)\/[^\\/]+|[A-Za-z]:[\\/]+(?:Users|Documents and Settings)[\\/]+[^\\/]+)[\\/]*$/i;
  if (home.test(path)) return "<home>";
  if (/[\\/]$/.test(path)) return "<path>/";
  return `<path>/${basename(path)}`;
}

/** Free text with every private value above replaced; at most `max` characters out. */
export function scrubText(text: string, names: Names, max: number): string {
  let out = text;
  for (const [re, to] of RULES) out = out.replace(re, to as string);
  const rules = [
    ...names.users.map((n) => ({ n, to: "<user>" })),
    ...names.hosts.map((n) => ({ n, to: "<host>" })),
  ].sort((a, b) => b.n.length - a.n.length);
  for (const { n, to } of rules) {
    const edge = n.length < 3 ? "[\\p{L}\\p{N}]" : "\\p{L}";
    out = out.replace(new RegExp(`(?<!${edge})${escape(n)}(?!${edge})`, "giu"), to);
  }
  return out.length > max ? out.slice(0, max) : out;
}
