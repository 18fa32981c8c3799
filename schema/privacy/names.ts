/**
 * User and host names in free text (the second pass of scrub.ts): the names the caller knows
 * (the Node client's own user and host name, a Sentry event's `server_name`) and the user names
 * learned from home directories in the same text (`/home/alice/...` teaches `alice`).
 */

/**
 * Names that identify nobody (system accounts, defaults, words every machine has): never
 * learned, never replaced, so `root` does not turn `/opt/rootfs` into `/opt/<user>fs` and
 * vigilant's `server_name: "none"` does not eat the word "none".
 */
export const commonNames: ReadonlySet<string> = new Set([
  "root", "admin", "administrator", "user", "users", "guest", "nobody", "daemon", "default", "public",
  "shared", "all users", "default user", "node", "app", "apps", "www", "www-data", "ubuntu", "debian",
  "centos", "fedora", "alpine", "ec2-user", "azureuser", "pi", "git", "runner", "vagrant", "docker",
  "jenkins", "postgres", "mysql", "redis", "localhost", "server", "home", "test", "dev", "none",
  "unknown", "null", "undefined", "email", "ip", "url", "path", "host", "secret", "id", "mac",
]); // prettier-ignore

/** A name worth replacing: at least 2 characters and not a common one. */
export function isPrivateName(name: string): boolean {
  return name.length >= 2 && !commonNames.has(name.toLowerCase());
}

export interface NameRule {
  name: string;
  to: "<user>" | "<host>";
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The placeholders scrub.ts writes: names are never replaced inside them. */
const placeholderRe = /(<(?:email|ip|url|path|home|user|host|secret|id|mac)>)/;

/**
 * Replaces every name, case-insensitively, where no letter touches it (`alice2`, `alice-cache`,
 * `build-box_1` are replaced, `malice` is not); a 2-character name also needs no digit beside
 * it. The longest name wins where two overlap. Returns the text and whether anything changed.
 */
export function replaceNames(text: string, rules: NameRule[]): { text: string; users: boolean; hosts: boolean } {
  const usable = rules.filter((r) => isPrivateName(r.name)).sort((a, b) => b.name.length - a.name.length);
  if (!usable.length) return { text, users: false, hosts: false };
  const pattern = usable
    .map((r) => {
      const edge = r.name.length < 3 ? "[\\p{L}\\p{N}]" : "\\p{L}";
      return `(?<!${edge})(${escape(r.name)})(?!${edge})`;
    })
    .join("|");
  const re = new RegExp(pattern, "giu");
  let users = false;
  let hosts = false;
  const out = text
    .split(placeholderRe)
    .map((part, i) =>
      i % 2 === 1
        ? part // a placeholder (split keeps the captured separators at odd indices)
        : part.replace(re, (...m: unknown[]) => {
            const i = m.slice(1, usable.length + 1).findIndex((g) => g !== undefined);
            const to = usable[i]!.to;
            if (to === "<user>") users = true;
            else hosts = true;
            return to;
          }),
    )
    .join("");
  return { text: out, users, hosts };
}

/** A host name and its first label (`alice-laptop.example.com`, `alice-laptop`). */
export function hostRules(hosts: readonly string[]): NameRule[] {
  return hosts.flatMap((h) =>
    [...new Set([h, h.split(".")[0] ?? ""])].map((name) => ({ name, to: "<host>" as const })),
  );
}
