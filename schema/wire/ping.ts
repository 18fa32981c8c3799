import { z } from "zod";
import { boundedRecord, keyName, productName, shortText } from "./common.ts";
import { privateKinds } from "../privacy/kinds.ts";

/** Limits of POST /v1/ping bodies; the worker enforces them, the client stays inside them. */
export const pingLimits = {
  bodyBytes: 64 * 1024,
  envKeys: 32,
  /** platform.counts: dotted keys stored (the first ones, in the order sent; the rest are dropped). */
  countKeys: 100,
  /** platform.counts: levels of nesting (`projectsByState.suspended` is 2). */
  countDepth: 3,
  /** platform.counts: entries at all levels; more is refused (400) as no real client sends it. */
  countEntries: 500,
  configDepth: 4,
  configKeys: 200,
  configString: 128,
  /** Fact records per ping (Firefly III submits batches of 50). */
  facts: 50,
  factValue: 256,
  /** Exception reports per ping, and their string sizes. */
  exceptions: 10,
  exceptionType: 128,
  exceptionMessage: 1000,
  exceptionStack: 4000,
} as const;

const configLeaf = z.union([z.boolean(), z.number(), z.string().max(pingLimits.configString)]);
type ConfigLevel = z.ZodType<Record<string, unknown>>;
/** Nested config object: booleans, numbers and short strings, depth <= configDepth. */
function configLevel(depth: number): ConfigLevel {
  const value = depth > 1 ? z.union([configLeaf, z.lazy(() => configLevel(depth - 1))]) : configLeaf;
  return z.record(keyName, value);
}
function countKeys(o: Record<string, unknown>): number {
  return Object.values(o).reduce<number>(
    (n, v) => n + 1 + (v && typeof v === "object" ? countKeys(v as Record<string, unknown>) : 0),
    0,
  );
}
/** A count: an integer >= 0. */
export const countValue = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** platform.counts as sent: integers and objects of integers (FlowFuse's `projectsByState: {suspended: 2}`). */
export interface CountTree {
  [key: string]: number | CountTree;
}
function countLevel(depth: number): z.ZodType<CountTree> {
  const value = depth > 1 ? z.union([countValue, z.lazy(() => countLevel(depth - 1))]) : countValue;
  return z.record(keyName, value);
}
export const platformCounts = countLevel(pingLimits.countDepth).refine((o) => countKeys(o) <= pingLimits.countEntries, {
  message: `at most ${pingLimits.countEntries} entries in all`,
});

export const platformConfig = configLevel(pingLimits.configDepth).refine((o) => countKeys(o) <= pingLimits.configKeys, {
  message: `at most ${pingLimits.configKeys} keys in all`,
});

/** Bounds of client times (ms since epoch): 2000-01-01 .. 2100-01-01 UTC, so every value is a valid Date. */
export const clientTimeRange = { min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) } as const;
/**
 * Client time (ms since epoch) a fact or exception was recorded, clamped into clientTimeRange: a
 * device with a wrong clock (no RTC: 1970) keeps reporting, and no stored time breaks a Date.
 */
const clientTime = z
  .number()
  .int()
  .nonnegative()
  .max(Number.MAX_SAFE_INTEGER)
  .transform((t) => Math.min(Math.max(t, clientTimeRange.min), clientTimeRange.max));

/** A fact record (Firefly III's model); `id` is client-generated and dedupes retries. */
export const pingFact = z.object({
  id: z.uuid(),
  kind: z.enum(["feature", "recurring"]),
  key: keyName,
  value: z.string().max(pingLimits.factValue),
  collectedAt: clientTime,
});
export type PingFact = z.infer<typeof pingFact>;

/** An exception report, already scrubbed by the client; `id` is client-generated. */
export const pingException = z.object({
  id: z.uuid(),
  type: z.string().min(1).max(pingLimits.exceptionType),
  message: z.string().max(pingLimits.exceptionMessage),
  stack: z.string().max(pingLimits.exceptionStack).optional(),
  collectedAt: clientTime,
});
export type PingException = z.infer<typeof pingException>;

/** An installation's random id: any case on the wire, lower case from here on (stored, compared). */
export const installationId = z.uuid().transform((s) => s.toLowerCase());

/**
 * The instance ping, as FlowFuse sends it (test/fixtures/ping-flowfuse-ce.json and -ee.json;
 * older FlowFuse: flat counts, ping-flowfuse-flat.json) plus Candor's fields.
 */
export const pingRequest = z.object({
  instanceId: installationId,
  product: productName.optional(),
  version: shortText.optional(),
  os: z.object({ type: shortText.optional(), release: shortText.optional(), arch: shortText.optional() }).optional(),
  env: boundedRecord(shortText, pingLimits.envKeys).optional(),
  platform: z
    .object({
      counts: platformCounts.optional(),
      config: platformConfig.optional(),
      license: z.object({ id: shortText.optional(), type: shortText.optional() }).optional(),
    })
    .optional(),
  uptime: z.number().nonnegative().max(1e10).optional(),
  facts: z.array(pingFact).max(pingLimits.facts).optional(),
  exceptions: z.array(pingException).max(pingLimits.exceptions).optional(),
});
export type PingRequest = z.infer<typeof pingRequest>;
/** Top-level keys the worker reads; any other is answered back in `ignored`. */
export const pingKnownKeys: ReadonlySet<string> = new Set(Object.keys(pingRequest.shape));

export const alertLevel = z.enum(["info", "warning", "critical"]);
export const pingAlert = z.object({
  id: z.string(),
  level: alertLevel,
  message: z.string(),
  url: z.string().nullable(),
});
export type PingAlert = z.infer<typeof pingAlert>;

/**
 * Why a field of an accepted ping was not stored: it held a private value of that kind (see
 * schema/privacy/scrub.ts), or it was over a bound (counts past `countKeys`; a count key that a
 * nested one already gave, `{"a.b": 1, "a": {"b": 2}}`).
 */
export const dropReasons = [...privateKinds, "over_limit", "duplicate_key"] as const;
export const droppedField = z.object({ path: z.string(), reason: z.enum(dropReasons) });
export type DroppedField = z.infer<typeof droppedField>;

/** 200 answer of POST /v1/ping. */
export const pingResponse = z.object({
  uuid: z.uuid(),
  latest_version: z.string().nullable(),
  update_available: z.boolean(),
  update_info: z.object({ version: z.string(), info: z.string().nullable(), url: z.string().nullable() }).nullable(),
  alerts: z.array(pingAlert),
  ignored: z.array(z.string()),
  /**
   * Fields not stored, by JSON path (or header name), with the reason; never their values.
   * Always sent by this worker; optional so that a client still reads an older worker's answer.
   */
  dropped: z.array(droppedField).optional(),
});
export type PingResponse = z.infer<typeof pingResponse>;
