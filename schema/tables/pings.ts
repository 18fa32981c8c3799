import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { instances } from "./instances";

/**
 * One FerretDB command_metrics combination: [opcode, command, argument, result, count]. Names are
 * allow-listed (others are "other"), at most ferretdbLimits.storedCombinations (+ one per result) per ping.
 */
export type CommandCount = [opcode: string, command: string, argument: string, result: string, count: number];

/** The columns of a stored ping (one builder set per table: drizzle builders are not shared). */
function pingColumns() {
  return {
    uuid: text("uuid").primaryKey(), // server-generated submission id
    instanceId: text("instance_id").notNull(),
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
  };
}

/** One row per accepted ping. JSON columns hold already-validated, bounded objects. */
export const pings = sqliteTable(
  "pings",
  {
    ...pingColumns(),
    instanceId: text("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
  },
  (t) => [
    uniqueIndex("pings_instance_idempotency").on(t.instanceId, t.idempotencyKey),
    index("pings_instance_received").on(t.instanceId, t.receivedAt),
    index("pings_day").on(t.day),
  ],
);

/**
 * The ping writer's stage (worker/store/pings.ts pingWrites): the pings of one round (at most one per
 * installation) with the instance row each would create, staged by one statement and read by
 * every set-based statement of the round's transaction, then emptied in it (empty between
 * transactions). `fresh` = 1 for the rows that will be stored (key matches, not erased, not
 * stored before), set by the round before the insert.
 */
export const pingsIncoming = sqliteTable("pings_incoming", {
  ...pingColumns(),
  instanceFirstSeen: integer("instance_first_seen").notNull(),
  instanceLastSeen: integer("instance_last_seen").notNull(),
  instanceVersion: text("instance_version"),
  instanceOsType: text("instance_os_type"),
  instanceOsRelease: text("instance_os_release"),
  instanceOsArch: text("instance_os_arch"),
  instanceLicenseType: text("instance_license_type"),
  browserRef: text("browser_ref"),
  keyHash: text("key_hash"),
  fresh: integer("fresh").notNull().default(0),
});
