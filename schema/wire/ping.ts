import { z } from "zod";
import { boundedRecord, keyName, productName, shortText } from "./common.ts";

/** Limits of POST /v1/ping bodies; the worker enforces them, the client stays inside them. */
export const pingLimits = {
  bodyBytes: 64 * 1024,
  envKeys: 32,
  countKeys: 100,
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

/** The instance ping, as FlowFuse sends it (fixtures/ping-flowfuse.json) plus Candor's fields. */
export const pingRequest = z.object({
  instanceId: z.uuid(),
  product: productName.optional(),
  version: shortText.optional(),
  os: z.object({ type: shortText.optional(), release: shortText.optional(), arch: shortText.optional() }).optional(),
  env: boundedRecord(shortText, pingLimits.envKeys).optional(),
  platform: z
    .object({
      counts: boundedRecord(
        z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
        pingLimits.countKeys,
      ).optional(),
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

/** 200 answer of POST /v1/ping. */
export const pingResponse = z.object({
  uuid: z.uuid(),
  latest_version: z.string().nullable(),
  update_available: z.boolean(),
  update_info: z.object({ version: z.string(), info: z.string().nullable(), url: z.string().nullable() }).nullable(),
  alerts: z.array(pingAlert),
  ignored: z.array(z.string()),
});
export type PingResponse = z.infer<typeof pingResponse>;
