/**
 * The scrubber's first pass: one pattern per kind of private value, tried as ONE alternation
 * left to right (scrub.ts), so a replaced value is never scrubbed again and, where two rules
 * could start at the same character, the earlier rule in this list wins.
 * Every pattern starts at a boundary (a lookbehind or `\b`), which keeps the pass linear.
 */
import { isIpv4, isIpv6, looksLikeToken } from "./detect.ts";
import type { PrivateKind } from "./kinds.ts";
import { scrubPath } from "./paths.ts";

export type RuleName =
  | "pem" | "url" | "email" | "bearer" | "assign" | "jwt" | "prefixed" | "uuid" | "mac" | "ipv6" | "ipv4"
  | "dns" | "privateHost" | "winPath" | "uncPath" | "tildePath" | "posixPath" | "hex" | "token"; // prettier-ignore

export interface RuleContext {
  found: Set<PrivateKind>;
  /** User names learned from home directories, replaced everywhere by the second pass. */
  learned: Set<string>;
  /** The whole value is a version: a dotted quad without a port is kept (1.2.3.4). */
  version: boolean;
  knownHomes: readonly string[];
  /** Scrubs part of a match with every rule except `without`. */
  inner: (text: string, without: readonly RuleName[]) => string;
}

export interface Rule {
  name: RuleName;
  /** A cheap necessary condition: text without it cannot match `pattern` (scrub.ts skips it). */
  hint: string;
  pattern: string;
  apply: (match: string, ctx: RuleContext) => string;
}

/**
 * Characters of a path segment; Windows directories may hold single spaces (`Program Files`).
 * A path running into a placeholder (`/home/<home>/x.js`, scrubbed already) is left alone.
 */
const SEG = String.raw`[^\\/\s"'<>()[\]{},;:|*?` + "`]";
const DIRS = String.raw`(?:${SEG}+`;
const WIN_DIRS = String.raw`(?:${SEG}+(?: ${SEG}+)*`;
const SEP = String.raw`(?:\\{1,2}|/)`; // a JSON-escaped Windows path doubles its backslashes
export const pathRules: readonly RuleName[] = ["winPath", "uncPath", "tildePath", "posixPath"];

function replaced(kind: PrivateKind, ctx: RuleContext, text: string): string {
  ctx.found.add(kind);
  return text;
}

function path(match: string, ctx: RuleContext): string {
  const trail = /\.+$/.exec(match)?.[0] ?? ""; // the full stop after a path ends the sentence
  const r = scrubPath(match.slice(0, match.length - trail.length), ctx.knownHomes);
  if (r.user) ctx.learned.add(r.user);
  return replaced(r.kind, ctx, r.text) + ctx.inner(r.basename, pathRules) + trail;
}

/** A URL: credentials or a query string (or `#k=v`) -> `<url>`; otherwise host and path are scrubbed. */
function url(match: string, ctx: RuleContext): string {
  const trail = /[.,;:!?)\]}]+$/.exec(match)?.[0] ?? "";
  const [, scheme, authority, rest] = /^([^:]+:\/\/)([^/?#]*)([\s\S]*)$/.exec(
    match.slice(0, -trail.length || undefined),
  )!;
  if (scheme!.toLowerCase() === "file://") return scheme + path(rest!, ctx) + trail;
  if (authority!.includes("@") || rest!.includes("?") || /#.*=/.test(rest!))
    return replaced("url", ctx, "<url>") + trail;
  return scheme + ctx.inner(authority!, ["url"]) + ctx.inner(rest!, ["url", ...pathRules]) + trail;
}

/** `key=value` / `key: value` where the key names a secret; `:` needs a value that is no plain word. */
function assign(match: string, ctx: RuleContext): string {
  const [, key, sep, scheme = "", value] = /^([\w.-]*["']?\s*([=:])\s*)((?:Bearer|Basic)\s+)?([\s\S]*)$/i.exec(match)!;
  const quoted = /^["']/.test(value!);
  const secret =
    sep === "=" || quoted || scheme !== "" || value!.length >= 16 || (value!.length >= 6 && /[^A-Za-z]/.test(value!));
  if (!secret) return key + ctx.inner(value!, ["assign"]);
  const q = quoted ? value![0] : "";
  return key + scheme + q + replaced("secret", ctx, "<secret>") + q;
}

/** `[addr]:port`, or a bare address (its zone goes with it; colons after it are kept). */
function ipv6(match: string, ctx: RuleContext): string {
  if (match.startsWith("[")) {
    const m = /^\[([^\]%]+)(?:%[^\]]*)?\](:\d+)?$/.exec(match);
    return m && isIpv6(m[1]!) ? replaced("ip", ctx, "<ip>") + (m[2] ?? "") : match;
  }
  const core = match.split("%")[0]!;
  // colons after an address end a clause (`2001:db8::1: failed`, `bind 2001:db8::: failed`)
  for (let end = core.length; end > 0 && (end === core.length || core[end] === ":"); end--) {
    if (isIpv6(core.slice(0, end))) return replaced("ip", ctx, "<ip>") + core.slice(end);
  }
  return match;
}

function ipv4(match: string, ctx: RuleContext): string {
  const [address, port] = match.split(":");
  if (!isIpv4(address!) || (ctx.version && port === undefined)) return match;
  return replaced("ip", ctx, "<ip>") + (port === undefined ? "" : `:${port}`);
}

function dns(match: string, ctx: RuleContext): string {
  const [, code, host] = /^(\S+\s+)(\S+)$/.exec(match)!;
  if (host!.toLowerCase() === "localhost") return match;
  return code + (isIpv4(host!) ? replaced("ip", ctx, "<ip>") : replaced("host", ctx, "<host>"));
}

/** 32+ hex digits are a key or hash: random hex has both digits and letters (`aaaa…` is a word). */
function hex(match: string, ctx: RuleContext): string {
  return /\d/.test(match) && /[a-f]/i.test(match) ? replaced("secret", ctx, "<secret>") : match;
}

const to = (kind: PrivateKind, text: string) => (_: string, ctx: RuleContext) => replaced(kind, ctx, text);
const KEY_WORDS = String.raw`(?:password|passwd|passphrase|pass|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth|authorization|credentials?|cookie|session[_-]?id|dsn)`;
const KEY_SUFFIX = String.raw`(?:[_.-]?(?:key|id|value|token|string))?`;
const secretKeyRe = new RegExp(String.raw`^[\w.-]*?${KEY_WORDS}${KEY_SUFFIX}$`, "i");

/**
 * A key that names a secret (`password`, `DB_PASSWORD`, `apiKey`, `access_token`,
 * `client-secret`, `sessionId`, `dsn`): its value is a secret whatever it looks like. For
 * structured data (config objects, Sentry `extra`), where no `key=` precedes the value.
 */
export function isSecretKey(key: string): boolean {
  return secretKeyRe.test(key);
}
const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;

export const rules: readonly Rule[] = [
  { name: "pem", hint: String.raw`-----BEGIN`, pattern: String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`, apply: to("secret", "<secret>") },
  { name: "url", hint: String.raw`:\/\/`, pattern: String.raw`\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>` + "`]*", apply: url },
  { name: "email", hint: String.raw`@`, pattern: String.raw`(?<![\w.%+-])[\w.%+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,}(?![\w-])`, apply: to("email", "<email>") },
  { name: "bearer", hint: String.raw`\b(?:Bearer|Basic)\s`, pattern: String.raw`\b(?:Bearer|Basic)\s+[\w.~+/=-]{8,}`, apply: (m, ctx) => `${m.split(/\s+/)[0]} ${replaced("secret", ctx, "<secret>")}` },
  { name: "assign", hint: String.raw`[=:]`, pattern: String.raw`(?<![\w.-])[\w.-]*?${KEY_WORDS}${KEY_SUFFIX}["']?\s*[=:]\s*(?:(?:Bearer|Basic)\s+)?(?:"[^"\n]*"|'[^'\n]*'|[^\s,;&"'<>(){}[\]]*[a-z0-9][^\s,;&"'<>(){}[\]]*)`, apply: assign },
  { name: "jwt", hint: String.raw`eyJ`, pattern: String.raw`\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*`, apply: to("secret", "<secret>") },
  { name: "prefixed", hint: String.raw`\b(?:sk_|pk_|rk_|sk-|gh[pousr]_|github_pat_|xox|AKIA|AIza|glpat-|npm_)`, pattern: String.raw`\b(?:(?:sk|pk|rk)_(?:live|test)_[a-z0-9]{8,}|sk-[\w-]{16,}|gh[pousr]_[a-z0-9]{20,}|github_pat_\w{20,}|xox[abposr]-[a-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[\w-]{30,}|glpat-[\w-]{20,}|npm_[a-z0-9]{30,})`, apply: to("secret", "<secret>") },
  { name: "uuid", hint: String.raw`[0-9a-f]{8}-`, pattern: String.raw`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`, apply: to("id", "<id>") },
  { name: "mac", hint: String.raw`[0-9a-f]{2}[:-][0-9a-f]{2}[:-]`, pattern: String.raw`\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b|\b[0-9a-f]{2}(?:-[0-9a-f]{2}){5}\b`, apply: to("mac", "<mac>") },
  { name: "ipv6", hint: String.raw`:`, pattern: String.raw`\[[0-9a-f:.]+(?:%[\w.-]+)?\](?::\d{1,5})?|(?<![\w:.])(?=[0-9a-f]*:[0-9a-f]*:)[0-9a-f:]{2,39}(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?:%[\w.-]+)?(?![\w:]|\.\d)`, apply: ipv6 },
  { name: "ipv4", hint: String.raw`\d\.\d{1,3}\.\d`, pattern: String.raw`(?<![\w.])(?:${OCTET}\.){3}${OCTET}(?::\d{1,5})?(?!\w|\.\d)`, apply: ipv4 },
  { name: "dns", hint: String.raw`ENOTFOUND|EAI_`, pattern: String.raw`\b(?:ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)\s+[a-z0-9][\w.-]*`, apply: dns },
  { name: "privateHost", hint: String.raw`\.(?:local|internal|intranet|lan|corp|home\.arpa)`, pattern: String.raw`(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:local|localdomain|internal|intranet|lan|corp|home\.arpa)(?![\w-]|\.\w)`, apply: to("host", "<host>") },
  { name: "winPath", hint: String.raw`[a-z]:[\\/]`, pattern: String.raw`(?<!\w)[a-z]:${SEP}${WIN_DIRS}${SEP})*${SEG}*(?!<)`, apply: path },
  { name: "uncPath", hint: String.raw`\\\\`, pattern: String.raw`(?<![\w\\])\\{2,4}[\w.$-]+(?:\\{1,2}${WIN_DIRS}))+`, apply: path },
  { name: "tildePath", hint: String.raw`~`, pattern: String.raw`(?<![\w~])~(?:[a-z_][\w.-]*)?\/${DIRS}\/)*${SEG}*(?!<)`, apply: path },
  { name: "posixPath", hint: String.raw`\/`, pattern: String.raw`(?<![\w.~:/<>@%?=&#+\\-])\/${DIRS}\/)+${SEG}*(?!<)`, apply: path },
  { name: "hex", hint: String.raw`[0-9a-f]{32}`, pattern: String.raw`\b[0-9a-f]{32,}\b`, apply: hex },
  { name: "token", hint: String.raw`[\w+-]{20}`, pattern: String.raw`(?<![\w+/-])[\w+-]{20,}={0,2}(?![\w+/=-])`, apply: (m, ctx) => (looksLikeToken(m) ? replaced("secret", ctx, "<secret>") : ctx.inner(m, ["token"])) },
]; // prettier-ignore
