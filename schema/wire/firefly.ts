import { z } from "zod";

/**
 * Firefly III's telemetry submission (`POST /submit`, 5.2.7-5.5.12): a JSON array of at most 50
 * rows `{installation_id, collected_at, type, key, value}`. Only a body that is not an array of
 * objects is refused: Firefly resends a refused batch at every cron run, forever, so a merely
 * unusual row is accepted and dropped or reduced (worker/pipeline/firefly).
 */
export const fireflyLimits = {
  bodyBytes: 256 * 1024,
  /** `Telemetry::whereNull('submitted')->take(50)`. */
  rows: 50,
} as const;

/** The body: an array of JSON objects (their fields are checked row by row, never refused). */
export const fireflyBatch = z.array(z.record(z.string(), z.unknown())).max(fireflyLimits.rows);

/** One row as Firefly stores it; a row that fails this is dropped, not refused. */
export const fireflyRow = z.object({
  installation_id: z.string().max(200),
  /** RFC 2822 in the app's timezone: `Sat, 05 Dec 2020 10:14:03 +0100`. */
  collected_at: z.string().max(100),
  type: z.string().max(25),
  key: z.string().min(1).max(200),
  /** Always a string from PHP (`feature(string, string)`); other scalars are tolerated. */
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type FireflyRow = z.infer<typeof fireflyRow>;

/** Every 5.2.7/5.2.8 installation's id: `Uuid::uuid5(NAMESPACE_URL, 'firefly-iii.org')`. */
export const fireflySharedInstallationId = "b2c27d92-be90-5c10-8589-005df5b314e6";

/** The answer Firefly accepts: exactly 200, and this body only (it is written into the user's log). */
export const fireflyResponse = z.strictObject({ uuid: z.uuid() });
export type FireflyResponse = z.infer<typeof fireflyResponse>;
