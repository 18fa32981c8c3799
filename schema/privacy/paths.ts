/**
 * Absolute paths in free text: every directory is dropped, the file's basename is kept
 * (`/home/alice/app/lib/server.js` -> `<path>/server.js`); a bare home directory becomes
 * `<home>`; the user name of a home directory is returned so that the rest of the text loses it too.
 */
import { isPrivateName } from "./names.ts";

/** Where home directories live, as the segments after `/` or the drive (compared lower-case). */
const homeRoots: ReadonlyArray<readonly string[]> = [
  ["home"],
  ["users"], // macOS, Windows
  ["export", "home"], // Solaris
  ["var", "home"], // Fedora Silverblue
  ["usr", "home"], // FreeBSD
  ["documents and settings"], // Windows XP
];

export interface ScrubbedPath {
  text: string;
  kind: "path" | "home";
  /** The user name the path revealed (a home directory's owner), when it is worth replacing. */
  user?: string;
  /** The basename, still to be scrubbed by the caller (it can hold an e-mail or a name). */
  basename: string;
}

const norm = (p: string) => p.replaceAll("\\", "/").replace(/\/+$/, "").toLowerCase();

/** Segment index just past the home directory, and its owner, or null when `segments` is not under a home. */
function homeOf(segments: string[], lower: string[]): { end: number; user: string | undefined } | null {
  if (segments[0]?.startsWith("~")) return { end: 1, user: segments[0].slice(1) || undefined };
  const start = /^[a-z]:$/i.test(segments[0] ?? "") ? 1 : 0;
  for (const root of homeRoots) {
    if (root.every((s, i) => lower[start + i] === s) && segments[start + root.length]) {
      return { end: start + root.length + 1, user: segments[start + root.length] };
    }
  }
  return null;
}

/**
 * Scrubs one absolute path as matched in text: POSIX (`/a/b`), Windows (`C:\a\b`, `C:/a/b`,
 * JSON-escaped `C:\\a\\b`), UNC (`\\server\share\f`) or `~`/`~alice` paths. `knownHomes` are
 * home directories the caller knows (the Node client's own), matched case-insensitively.
 */
export function scrubPath(path: string, knownHomes: readonly string[] = []): ScrubbedPath {
  const segments = path.split(/[\\/]+/).filter((s) => s !== "");
  const lower = segments.map((s) => s.toLowerCase());
  const endsWithSep = /[\\/]$/.test(path);
  const basename = endsWithSep ? "" : (segments.at(-1) ?? "");
  let home = homeOf(segments, lower);
  const known = knownHomes.find((h) => h.length > 1 && (norm(path) + "/").startsWith(norm(h) + "/"));
  if (known) home = { end: norm(known).split("/").filter(Boolean).length, user: known.split(/[\\/]/).pop() };
  const user = home?.user && isPrivateName(home.user) ? home.user : undefined;
  if (home && segments.length <= home.end) return { text: "<home>", kind: "home", user, basename: "" };
  return { text: "<path>/", kind: home ? "home" : "path", user, basename };
}
