import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { instances } from "./instances";

/**
 * One FerretDB command_metrics combination: [opcode, command, argument, result, count]. Names are
 * allow-listed (others are "other"), at most ferretdbLimits.storedCombinations (+ one per result) per ping.
 */
export type CommandCount = [opcode: string, command: string, argument: string, result: string, count: number];

/** One row per accepted ping. JSON columns hold already-validated, bounded objects. */
export const pings = sqliteTable(
  "pings",
  {
    uuid: text("uuid").primaryKey(), // server-generated submission id
    instanceId: text("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    idempotencyKey: text("idempotency_key"),
    product: text("product").notNull(),
    version: text("version"),
    receivedAt: integer("received_at").notNull(), // ms since epoch
    day: text("day").notNull(), // UTC YYYY-MM-DD of receivedAt, for rollups and retention
    osType: text("os_type"),
    osRelease: text("os_release"),
    osArch: text("os_arch"),
    env: text("env", { mode: "json" }).$type<Record<string, string>>(),
    counts: text("counts", { mode: "json" }).$type<Record<string, number>>(), // flat: `projectsByState.suspended`
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>(),
    licenseType: text("license_type"),
    uptime: integer("uptime"),
    /** FerretDB's command_metrics, folded and bounded (null for every other client). */
    commands: text("commands", { mode: "json" }).$type<CommandCount[]>(),
    country: text("country"),
    asn: integer("asn"),
  },
  (t) => [
    uniqueIndex("pings_instance_idempotency").on(t.instanceId, t.idempotencyKey),
    index("pings_instance_received").on(t.instanceId, t.receivedAt),
    index("pings_day").on(t.day),
  ],
);
