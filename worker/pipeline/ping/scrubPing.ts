/**
 * Ping step 2: the free-text rules of schema/privacy/scrub.ts on every string a ping carries.
 * An accepted ping is never refused for an odd value: a field holding a private value (an
 * e-mail in os.type, a UUID in the licence type, a home path in a config string...) is dropped
 * and named in the answer's `dropped` with the kind found, never its value.
 * - dropped: product (the default product applies), version, os.*, env entries (key or value),
 *   the licence type, config entries (key or string leaf; a string under a key that names a
 *   secret, `password`, `apiToken`, always), count keys (flattenCounts), facts
 *   whose key is private, an Idempotency-Key header holding an e-mail, address, path or name;
 * - scrubbed in place, later: fact values (scrubFact) and exceptions (scrubException), in
 *   records.ts, where every fact and exception row is made, whatever its route.
 * Version-like fields (version, os.release, env values) keep a bare dotted quad (`1.2.3.4`).
 */
import { jsonPath, type DroppedField, type PingRequest } from "../../../schema";
import { isSecretKey, personalKind, scrub, scrubText, type ScrubOptions } from "../../../schema/privacy/scrub";
import { flattenCounts } from "./flattenCounts";

type Platform = NonNullable<PingRequest["platform"]>;
/** A ping after this step: counts flat, private fields gone. */
export type ScrubbedPing = Omit<PingRequest, "platform"> & {
  platform?: Omit<Platform, "counts"> & { counts?: Record<string, number> };
};

const VERSION: ScrubOptions = { version: true };

/**
 * Collects drop reasons; `keep` answers a string, or undefined when it held a private value or,
 * with `key`, when that key names a secret (`password`, `apiToken`: the value is one, whatever
 * it looks like).
 */
function dropper(dropped: DroppedField[]) {
  const keep = (value: string | undefined, path: PropertyKey[], options?: ScrubOptions & { key?: string }) => {
    if (value === undefined) return undefined;
    const found = options?.key !== undefined && isSecretKey(options.key) ? "secret" : scrub(value, options).found[0];
    if (!found) return value;
    dropped.push({ path: jsonPath(path.map((p) => (typeof p === "string" ? scrubText(p) : p))), reason: found });
    return undefined;
  };
  return keep;
}

type ConfigLevel = Record<string, unknown>;

function scrubConfig(level: ConfigLevel, path: string[], keep: ReturnType<typeof dropper>): ConfigLevel {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(level)) {
    const at = [...path, key];
    if (keep(key, at) === undefined) continue;
    if (typeof value === "string") {
      if (keep(value, at, { key }) !== undefined) out.set(key, value);
    } else if (value !== null && typeof value === "object") out.set(key, scrubConfig(value as ConfigLevel, at, keep));
    else out.set(key, value);
  }
  return Object.fromEntries(out);
}

function scrubEnv(env: Record<string, string>, keep: ReturnType<typeof dropper>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => keep(k, ["env", k]) !== undefined && keep(v, ["env", k], { ...VERSION, key: k }) !== undefined,
    ),
  );
}

export function scrubPing(
  ping: PingRequest,
  idempotencyKey: string | null,
): { ping: ScrubbedPing; idempotencyKey: string | null; dropped: DroppedField[] } {
  const { counts, dropped } = flattenCounts(ping.platform?.counts);
  const keep = dropper(dropped);
  const { platform, os, env, facts, ...rest } = ping;
  const out: ScrubbedPing = {
    ...rest,
    product: keep(ping.product, ["product"]),
    version: keep(ping.version, ["version"], VERSION),
  };
  if (os) {
    out.os = { type: keep(os.type, ["os", "type"]), release: keep(os.release, ["os", "release"], VERSION) };
    out.os.arch = keep(os.arch, ["os", "arch"]);
  }
  if (env) out.env = scrubEnv(env, keep);
  if (platform) {
    out.platform = { counts: platform.counts && counts };
    if (platform.config) out.platform.config = scrubConfig(platform.config, ["platform", "config"], keep);
    if (platform.license) {
      out.platform.license = {
        id: platform.license.id,
        type: keep(platform.license.type, ["platform", "license", "type"]),
      };
    }
  }
  // values are scrubbed in place by scrubFact (records.ts), like every fact's
  if (facts) out.facts = facts.filter((f, i) => keep(f.key, ["facts", i, "key"]) !== undefined);
  // a key is a random id by design (the Node client sends a UUID): only a personal value drops it
  const key = idempotencyKey === null ? undefined : personalKind(scrub(idempotencyKey).found);
  if (key) dropped.push({ path: "Idempotency-Key", reason: key });
  return { ping: out, idempotencyKey: key ? null : idempotencyKey, dropped };
}
