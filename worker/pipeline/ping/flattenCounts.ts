/**
 * Ping step: platform.counts as sent (integers and objects of integers, FlowFuse's
 * `projectsByState: {suspended: 2}`) -> flat dotted keys (`projectsByState.suspended: 2`), the
 * form stored in pings.counts and summed by the rollups, shown by /v1/admin/stats/platform and
 * the dashboard. The old flat shape passes unchanged. Bounds: the schema refuses more than
 * pingLimits.countEntries entries or deeper nesting than countDepth; here the first
 * pingLimits.countKeys keys (in the order sent) are kept, the rest are dropped as `over_limit`;
 * a key that an earlier entry already produced (`{"a.b": 1, "a": {"b": 2}}`) is dropped as
 * `duplicate_key`; a key holding a private value (an e-mail...) is dropped with that kind.
 */
import { jsonPath, pingLimits, type CountTree, type DroppedField } from "../../../schema";
import { scrub } from "../../../schema/privacy/scrub";

export function flattenCounts(counts: CountTree | undefined): {
  counts: Record<string, number> | undefined;
  dropped: DroppedField[];
} {
  if (counts === undefined) return { counts: undefined, dropped: [] };
  const flat = new Map<string, number>(); // a Map: `__proto__` is a key like any other
  const dropped: DroppedField[] = [];
  const walk = (level: CountTree, path: string[]) => {
    for (const [key, value] of Object.entries(level)) {
      const { text, found } = scrub(key);
      const at = [...path, text]; // the answer names a private key by its placeholder only
      const where = jsonPath(["platform", "counts", ...at]);
      if (found[0]) dropped.push({ path: where, reason: found[0] });
      else if (typeof value !== "number") walk(value, at);
      else if (flat.has(at.join("."))) dropped.push({ path: where, reason: "duplicate_key" });
      else if (flat.size >= pingLimits.countKeys) dropped.push({ path: where, reason: "over_limit" });
      else flat.set(at.join("."), value);
    }
  };
  walk(counts, []);
  return { counts: Object.fromEntries(flat), dropped };
}
