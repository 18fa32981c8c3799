import { z } from "zod";
import { shortText } from "./common.ts";

/**
 * FerretDB's telemetry beacon (`POST /`), as `internal/util/telemetry/reporter.go` sends it:
 * v2 (`postgresql_version`, `documentdb_version`) and v0.6-v1.x (`handler`, `handler_version`,
 * `"ok": 0` leaves). Unknown keys are ignored (FerretDB never sends `_comment`).
 */
export const ferretdbLimits = {
  bodyBytes: 128 * 1024,
  /** Leaves (opcode x command x argument x result) one report's command_metrics may hold. */
  metricLeaves: 2000,
  /** Longest opcode, command, argument or result name accepted (longer -> 400; stored names are allow-listed). */
  metricName: 200,
  /** Combinations stored per report after folding: the largest counts, the rest summed per result. */
  storedCombinations: 100,
  /** build_environment keys accepted (only an allow-list of them is stored). */
  buildKeys: 64,
  /** Free-text fields (`postgresql_version` is 122 chars in practice). */
  text: 1024,
} as const;

const metricName = z.string().max(ferretdbLimits.metricName);
const metricCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** opcode -> command -> argument -> result -> count; any deeper or non-integer leaf is invalid. */
export const commandMetrics = z
  .record(metricName, z.record(metricName, z.record(metricName, z.record(metricName, metricCount))))
  .refine(
    (m) =>
      Object.values(m).reduce(
        (n, cmds) =>
          n +
          Object.values(cmds).reduce(
            (k, args) => k + Object.values(args).reduce((j, res) => j + Object.keys(res).length, 0),
            0,
          ),
        0,
      ) <= ferretdbLimits.metricLeaves,
    { message: `at most ${ferretdbLimits.metricLeaves} entries` },
  );
export type CommandMetrics = z.infer<typeof commandMetrics>;

const text = z.string().max(ferretdbLimits.text);

export const ferretdbReport = z.object({
  version: shortText.optional(),
  commit: text.optional(),
  branch: text.optional(),
  dirty: z.boolean().optional(),
  package: text.optional(),
  debug: z.boolean().optional(),
  /** map[string]string since v2.0; map[string]any before (scalars). */
  build_environment: z
    .record(metricName, z.unknown())
    .refine((o) => Object.keys(o).length <= ferretdbLimits.buildKeys, {
      message: `at most ${ferretdbLimits.buildKeys} keys`,
    })
    .optional(),
  os: shortText.optional(),
  arch: shortText.optional(),
  postgresql_version: text.optional(),
  documentdb_version: text.optional(),
  /** v1.x: backend name (`PostgreSQL`, `SQLite`) or the --handler flag (`pg`, `tigris`). */
  handler: text.optional(),
  handler_version: text.optional(),
  uuid: z.uuid(),
  /**
   * Nanoseconds (Go time.Duration), may exceed 2^53: never validated here, the worker reads it
   * from the JSON text (worker/pipeline/ferretdb/uptime.ts) and keeps whole seconds.
   */
  uptime: z.unknown().optional(),
  command_metrics: commandMetrics.optional(),
});
export type FerretdbReport = z.infer<typeof ferretdbReport>;

/**
 * The answer FerretDB accepts: status 201, one JSON object, every field a string/bool (a
 * non-string update_info fails its decoder). `update_info` is shown verbatim in its log and in
 * mongosh's startup warnings, even when update_available is false.
 */
export const ferretdbResponse = z.strictObject({
  latest_version: z.string(),
  update_available: z.boolean(),
  update_info: z.string(),
});
export type FerretdbResponse = z.infer<typeof ferretdbResponse>;
