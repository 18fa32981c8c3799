/**
 * THE PRIVACY CONTRACT: the one scrubber of free text, shared by the worker (every exception,
 * ping string, capture identifier, from any route) and the instance client (which scrubs before
 * sending, with the same rules). Pure: no I/O, no platform API, imports nothing outside
 * schema/privacy, so worker/ and client/ may both import it.
 *
 * `scrub(text)` replaces, in one pass, each private value by a placeholder (kinds.ts):
 *   e-mail addresses                          -> <email>
 *   IPv4 / IPv6 addresses, also with a port   -> <ip>, <ip>:5432 (the port is kept)
 *   URLs with credentials or a query string   -> <url>   (other URLs keep scheme, host and path,
 *                                                         which are scrubbed like any text)
 *   absolute paths (POSIX, Windows, UNC, ~)   -> <path>/server.js (the basename is kept)
 *   home directories                          -> <home>; their owner's name -> <user> everywhere
 *   known user / host names (options.known)   -> <user> / <host>
 *   private DNS names (.local, .internal...)  -> <host>; the host a DNS error names -> <host>
 *   keys and tokens: `password=`, `token: x1y2z3`, Bearer/Basic credentials, JWTs, PEM private
 *     keys, vendor-prefixed keys (sk_live_, ghp_, AKIA...), >= 32 hex digits, random-looking
 *     runs of >= 20 characters                -> <secret>
 *   UUIDs                                     -> <id>
 *   MAC addresses                             -> <mac>
 * and then, in a second pass, the user and host names (known, or learned from home directories)
 * wherever no letter touches them. Names that identify nobody (`root`, `admin`, `node`, `none`:
 * names.ts) are never replaced, so `/opt/rootfs` keeps its name. Ordinary words, versions
 * (`v1.2.3`, `17.6-2.pgdg12+1`), times, MIME types and relative paths are left alone;
 * `options.version` also keeps a bare dotted quad (`1.2.3.4` is a version there, not an address).
 */
import type { PrivateKind } from "./kinds.ts";
import { hostRules, replaceNames, type NameRule } from "./names.ts";
import { rules, type RuleContext, type RuleName } from "./rules.ts";

export { isSecretKey } from "./rules.ts";

export { personalKind, placeholders, privateKinds, randomKinds, type PrivateKind } from "./kinds.ts";

/** What the caller knows identifies this machine or person (the Node client's own, a Sentry `server_name`). */
export interface KnownSecrets {
  users?: readonly string[];
  hosts?: readonly string[];
  homes?: readonly string[];
}

export interface ScrubOptions {
  known?: KnownSecrets;
  /** The value is a version field: a dotted quad without a port is not an IPv4 address. */
  version?: boolean;
}

export interface Scrubbed {
  text: string;
  /** The kinds replaced, in the order first met; empty when the text had nothing private. */
  found: PrivateKind[];
}

/** Longest text scrubbed; the rest is cut first (every stored field is far shorter). */
export const SCRUB_MAX_INPUT = 16 * 1024;

const sources = new Map<string, { source: string; active: ReadonlyArray<(typeof rules)[number]> }>();

/** The alternation of every rule but `without` (a fresh RegExp per run: replace() is re-entered). */
function compiled(without: readonly RuleName[]) {
  const key = without.join(",");
  let hit = sources.get(key);
  if (!hit) {
    const active = rules.filter((r) => !without.includes(r.name));
    hit = { source: active.map((r, i) => `(?<r${i}>${r.pattern})`).join("|"), active };
    sources.set(key, hit);
  }
  return { re: new RegExp(hit.source, "gi"), active: hit.active };
}

function run(text: string, ctx: RuleContext, without: readonly RuleName[]): string {
  if (text === "") return text;
  const { re, active } = compiled(without);
  return text.replace(re, (...args: unknown[]) => {
    const groups = args.at(-1) as Record<string, string | undefined>;
    const i = active.findIndex((_, k) => groups[`r${k}`] !== undefined);
    return active[i]!.apply(args[0] as string, ctx);
  });
}

/** Scrubs free text (see the contract above). */
export function scrub(text: string, options: ScrubOptions = {}): Scrubbed {
  const ctx: RuleContext = {
    found: new Set(),
    learned: new Set(),
    version: options.version ?? false,
    knownHomes: options.known?.homes ?? [],
    inner: (part, without) => run(part, ctx, without),
  };
  const first = run(text.slice(0, SCRUB_MAX_INPUT), ctx, []);
  const names: NameRule[] = [
    ...(options.known?.users ?? []).map((name) => ({ name, to: "<user>" as const })),
    ...hostRules(options.known?.hosts ?? []),
    ...[...ctx.learned].map((name) => ({ name, to: "<user>" as const })),
  ];
  const second = replaceNames(first, names);
  if (second.users) ctx.found.add("user");
  if (second.hosts) ctx.found.add("host");
  return { text: second.text, found: [...ctx.found] };
}

/** The scrubbed text only. */
export function scrubText(text: string, options?: ScrubOptions): string {
  return scrub(text, options).text;
}
