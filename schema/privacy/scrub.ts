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

interface Compiled {
  /** The alternation of the active rules, one RegExp per nesting depth (replace() is re-entered). */
  res: RegExp[];
  /** The union of their hints: text that fails it has nothing to replace. */
  hint: RegExp;
  active: ReadonlyArray<(typeof rules)[number]>;
}
/** Compiled rule sets by the rules left out (a handful: see the `inner` calls in rules.ts). */
const compiledSets = new Map<string, Compiled>();

function compiled(without: readonly RuleName[]): Compiled {
  const key = without.join(",");
  let hit = compiledSets.get(key);
  if (!hit) {
    const active = rules.filter((r) => !without.includes(r.name));
    const source = active.map((r, i) => `(?<r${i}>${r.pattern})`).join("|");
    hit = {
      res: [0, 1, 2, 3].map(() => new RegExp(source, "gi")),
      hint: new RegExp(active.map((r) => r.hint).join("|"), "i"),
      active,
    };
    compiledSets.set(key, hit);
  }
  return hit;
}

function run(text: string, ctx: RuleContext & { depth: number }, without: readonly RuleName[]): string {
  const { res, hint, active } = compiled(without);
  if (text === "" || !hint.test(text)) return text;
  // rules nest at most 3 deep (url -> path -> basename); deeper would need a fresh RegExp
  const re = res[ctx.depth] ?? new RegExp(res[0]!.source, "gi");
  ctx.depth++;
  try {
    return text.replace(re, (...args: unknown[]) => {
      const groups = args.at(-1) as Record<string, string | undefined>;
      const i = active.findIndex((_, k) => groups[`r${k}`] !== undefined);
      return active[i]!.apply(args[0] as string, ctx);
    });
  } finally {
    ctx.depth--;
  }
}

/** Scrubs free text (see the contract above). */
export function scrub(text: string, options: ScrubOptions = {}): Scrubbed {
  const ctx: RuleContext & { depth: number } = {
    depth: 0,
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

/**
 * A short field that should hold no private value at all (a version, an OS name): the value
 * when the scrubber finds nothing in it, else undefined (drop it; a placeholder means nothing).
 */
export function publicValue(value: string | undefined, options?: ScrubOptions): string | undefined {
  return value === undefined || scrub(value, options).found.length > 0 ? undefined : value;
}
