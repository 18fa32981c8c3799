import os from "node:os";

/** What identifies this machine or person in error text: replaced by placeholders. */
export interface Secrets {
  hostname?: string;
  home?: string;
  user?: string;
}

function userName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}

export function localSecrets(): Secrets {
  return { hostname: os.hostname(), home: os.homedir(), user: userName() };
}

/** Names shorter than this are replaced only where no letter touches them ("al" must not shred "also"). */
export const SHORT_NAME = 3;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The ways a home dir shows up in text: as is, with either slash style, JSON-escaped, URL-encoded. */
function homeForms(home: string): string[] {
  const forward = home.replaceAll("\\", "/");
  const back = home.replaceAll("/", "\\");
  const plain = [home, forward, back, back.replaceAll("\\", "\\\\")];
  const encoded = plain.flatMap((p) => [encodeURIComponent(p), encodeURI(p)]);
  return [...new Set([...plain, ...encoded])];
}

/** A name as a pattern: every occurrence, or for a short name only where no letter touches it. */
function namePattern(name: string): string {
  return name.length < SHORT_NAME ? `(?<!\\p{L})${escape(name)}(?!\\p{L})` : escape(name);
}

/**
 * A scrubber that replaces the home directory with `<home>` (plain, either slash style, JSON-
 * escaped, URL-encoded), the hostname and its first label with `<hostname>`, and the user name
 * with `<user>`: every occurrence, case-insensitively, also when joined to `-`, `_`, digits or
 * other words (`/tmp/alice-cache`, `pg://alice2@db`, `build-box_1`). A name shorter than 3
 * characters is replaced only where no letter touches it. One pass: a placeholder is never
 * scrubbed again.
 */
export function scrubber(secrets: Secrets = localSecrets()): (text: string) => string {
  const rules: Array<{ pattern: string; to: string; length: number }> = [];
  if (secrets.home && secrets.home.length > 1) {
    for (const form of homeForms(secrets.home))
      rules.push({ pattern: escape(form), to: "<home>", length: form.length });
  }
  if (secrets.hostname) {
    const first = secrets.hostname.split(".")[0];
    for (const name of new Set([secrets.hostname, first ?? ""])) {
      if (name) rules.push({ pattern: namePattern(name), to: "<hostname>", length: name.length });
    }
  }
  if (secrets.user) rules.push({ pattern: namePattern(secrets.user), to: "<user>", length: secrets.user.length });
  if (!rules.length) return (text) => text;
  rules.sort((a, b) => b.length - a.length); // the longest form first: "/home/alice" before "alice"
  const re = new RegExp(rules.map((r) => `(${r.pattern})`).join("|"), "giu");
  return (text) =>
    text.replace(re, (...m: unknown[]) => {
      const i = m.slice(1, rules.length + 1).findIndex((g) => g !== undefined);
      return rules[i]?.to ?? "";
    });
}
