import os from "node:os";
import { scrubText, type KnownSecrets } from "@candor-telemetry/schema/privacy/scrub";

/** What identifies this machine or person in error text, besides what the shared rules find. */
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

/**
 * The client's scrubber: the shared privacy contract (schema/privacy/scrub.ts, the same rules the
 * worker applies again) with this machine's host name, home directory and user name as known
 * values. E-mail addresses, IP addresses, URL credentials and query strings, absolute paths (the
 * basename kept), secrets and tokens become placeholders (`<email>`, `<ip>`, `<path>/x.js`, ...);
 * names that identify nobody (`root`, `admin`, `node`) are never replaced.
 */
export function scrubber(secrets: Secrets = localSecrets()): (text: string) => string {
  const known: KnownSecrets = {
    users: secrets.user ? [secrets.user] : [],
    hosts: secrets.hostname ? [secrets.hostname] : [],
    homes: secrets.home && secrets.home.length > 1 ? [secrets.home] : [],
  };
  return (text) => scrubText(text, { known });
}
