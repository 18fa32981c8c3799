import { eq, getTableName, min, sql, type SQL } from "drizzle-orm";
import {
  eventIds,
  events,
  eventSeen,
  eventSeenSlices,
  pings,
  rollupActive,
  rollupCommands,
  rollupCube,
  rollupDims,
  rollupEventProps,
  rollupEventPropsSlices,
  rollupEvents,
  rollupEventsSlices,
  rollupExceptions,
  rollupExceptionSlices,
  rollupFrontend,
  rollupFrontendSlices,
  rollupMetrics,
  rollupPages,
  rollupPagesSlices,
  rollupSessions,
  rollupState,
} from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { buildStatements } from "./rollupSql";
import { EVENT_PROPS_PER_EVENT, PAGES_PER_DAY } from "./rollupEventsSql";
import type { DayWindow } from "./dayWindow";

const STATE = "daily";
const rollupTables = [
  rollupActive,
  rollupDims,
  rollupCube,
  rollupMetrics,
  rollupExceptions,
  rollupExceptionSlices,
  rollupFrontend,
  rollupPages,
  rollupEvents,
  rollupEventProps,
  rollupFrontendSlices,
  rollupPagesSlices,
  rollupEventsSlices,
  rollupEventPropsSlices,
  rollupCommands,
  rollupSessions,
];

/** The frontend rollups the event writer keeps (the rest are the cron's alone). */
const frontendTables = new Set<unknown>([
  rollupFrontend,
  rollupPages,
  rollupEvents,
  rollupEventProps,
  rollupFrontendSlices,
  rollupPagesSlices,
  rollupEventsSlices,
  rollupEventPropsSlices,
]);

/**
 * The trims of a day's frontend rollups when they are not rebuilt from raw events: pages past the
 * top PAGES_PER_DAY by (pageviews, leaves, path) and property pairs past the top
 * EVENT_PROPS_PER_EVENT per event, as pagesSql and eventPropsSql keep them (per slice in the
 * breakdown slices, as pagesSlicesSql and eventPropsSlicesSql keep them).
 */
function trimStatements(db: Db, d: string) {
  // db.delete(...).where(sql), not db.run(sql): drizzle's D1 batch cannot bind the parameters of a
  // raw db.run (its prepared query has no statement: "reading 'bind'"), which failed every day's
  // rebuild with EVENTS_D1_DAYS = 0.
  return [
    db.delete(rollupPages).where(sql`day = ${d} AND rowid IN (SELECT rowid FROM (
      SELECT rowid, row_number() OVER (PARTITION BY product ORDER BY pageviews DESC, leaves DESC, path) AS rk
      FROM ${rollupPages} WHERE day = ${d}) WHERE rk > ${PAGES_PER_DAY})`),
    db.delete(rollupEventProps).where(sql`day = ${d} AND rowid IN (SELECT rowid FROM (
      SELECT rowid, row_number() OVER (PARTITION BY product, event ORDER BY count DESC, key, value) AS rk
      FROM ${rollupEventProps} WHERE day = ${d}) WHERE rk > ${EVENT_PROPS_PER_EVENT})`),
    db.delete(rollupPagesSlices).where(sql`day = ${d} AND rowid IN (SELECT rowid FROM (
      SELECT rowid, row_number() OVER (PARTITION BY product, pinned, app_version, license_type, country
        ORDER BY pageviews DESC, leaves DESC, path) AS rk
      FROM ${rollupPagesSlices} WHERE day = ${d}) WHERE rk > ${PAGES_PER_DAY})`),
    db.delete(rollupEventPropsSlices).where(sql`day = ${d} AND rowid IN (SELECT rowid FROM (
      SELECT rowid, row_number() OVER (PARTITION BY product, event, app_version, license_type, country
        ORDER BY count DESC, key, value) AS rk
      FROM ${rollupEventPropsSlices} WHERE day = ${d}) WHERE rk > ${EVENT_PROPS_PER_EVENT})`),
  ];
}

/**
 * What one day's rebuild cost D1, from the batches' result meta (`rows_read`, `rows_written`,
 * `duration` in ms, summed), and the slowest single batch (`maxBatchMs`: the figure to hold
 * against D1's 30 s query limit).
 */
export interface RebuildCost {
  rowsRead: number;
  rowsWritten: number;
  d1Ms: number;
  maxBatchMs: number;
  /** D1 ms per rollup table's batch (by table name), to tell which table a day's rebuild spends on. */
  tables?: Record<string, number>;
}

/** Sums D1's result meta over a batch's results (statements without one, e.g. reads, add nothing). */
function costOf(results: unknown[]): RebuildCost {
  const cost: RebuildCost = { rowsRead: 0, rowsWritten: 0, d1Ms: 0, maxBatchMs: 0 };
  for (const r of results) {
    const meta = (r as { meta?: { rows_read?: number; rows_written?: number; duration?: number } } | null)?.meta;
    cost.rowsRead += meta?.rows_read ?? 0;
    cost.rowsWritten += meta?.rows_written ?? 0;
    cost.d1Ms += meta?.duration ?? 0;
  }
  cost.maxBatchMs = cost.d1Ms;
  return cost;
}

/**
 * Rebuilds one day of every rollup table, ONE db.batch (one transaction) PER TABLE: the table's
 * rows of the day are deleted and recomputed from raw rows (active-N from instance_activity), so
 * a rebuild counts pings that arrived since. One batch per table keeps each transaction to one
 * table's statements (at 1,000,000 pings a day the whole day as one batch took 43 s locally, over
 * D1's 30 s limit); each table is still all-or-nothing for the day, and a table that fails
 * keeps its previous rows (the error propagates: the cron logs the day as failed and retries it).
 * `frontendFromRaw` false (EVENTS_D1_DAYS = 0: D1 holds no raw events) leaves the frontend
 * rollups as the event writer counted them, only trimmed: the counters are then the only record,
 * and they equal a rebuild over the same rows. Returns what D1 reported it cost (logged by the
 * cron; `npm run bench:scale` reads it).
 */
export async function rebuildDay(db: Db, w: DayWindow, frontendFromRaw = true): Promise<RebuildCost> {
  return guard("rebuildDay", async () => {
    const rebuilt = (t: unknown) => frontendFromRaw || !frontendTables.has(t);
    const total: RebuildCost = { rowsRead: 0, rowsWritten: 0, d1Ms: 0, maxBatchMs: 0, tables: {} };
    const add = (c: RebuildCost) => {
      total.rowsRead += c.rowsRead;
      total.rowsWritten += c.rowsWritten;
      total.d1Ms += c.d1Ms;
      total.maxBatchMs = Math.max(total.maxBatchMs, c.maxBatchMs);
    };
    for (const table of rollupTables.filter(rebuilt)) {
      const [first, ...rest] = [
        db.delete(table).where(eq(table.day, w.d)),
        ...buildStatements.filter(([t]) => t === table).map(([t, select]) => db.insert(t).select(select(w))),
      ];
      const cost = costOf(await db.batch([first, ...rest]));
      total.tables![getTableName(table)] = cost.d1Ms;
      add(cost);
    }
    if (!frontendFromRaw) {
      const [first, ...rest] = trimStatements(db, w.d);
      add(costOf(await db.batch([first!, ...rest])));
    }
    return total;
  });
}

export interface RollupState {
  builtThrough: string;
  builtAt: number;
}

export async function readState(db: Db): Promise<RollupState | undefined> {
  const rows = await guard("readRollupState", () => db.select().from(rollupState).where(eq(rollupState.name, STATE)));
  return rows[0];
}

export async function writeState(db: Db, state: RollupState): Promise<void> {
  await guard("writeRollupState", () =>
    db
      .insert(rollupState)
      .values({ name: STATE, ...state })
      .onConflictDoUpdate({ target: rollupState.name, set: state }),
  );
}

/** The oldest UTC day holding raw pings or events (index look-ups), or undefined when there are none. */
export async function oldestRawDay(db: Db): Promise<string | undefined> {
  const [p, e] = await guard("oldestRawDay", () =>
    db.batch([db.select({ day: min(pings.day) }).from(pings), db.select({ day: min(events.day) }).from(events)]),
  );
  const days = [p[0]?.day, e[0]?.day].filter((d): d is string => typeof d === "string").sort();
  return days[0];
}

/**
 * Deletes at most `chunk` raw pings of days before `before` (one statement, one bound parameter).
 * INDEXED BY pins the (day) index: each chunk seeks to the oldest days instead of scanning
 * another index.
 */
export async function deleteRawChunk(db: Db, before: string, chunk: number): Promise<{ pings: number }> {
  const p = await guard("deleteRawChunk", () =>
    db.delete(pings).where(sql`rowid IN (${oldRowids("pings", before, chunk)})`),
  );
  return { pings: p.meta.changes };
}

/**
 * Deletes at most `chunk` raw events of days before `before`, and at most `chunk` rows each of
 * event_seen and event_seen_slices (seen sessions/visitors, the counters' memory) and event_ids
 * (the dedupe horizon's uuids) of days before `memoryBefore`, in one batch (four statements),
 * through the events_day index and the other tables' primary keys (day first).
 */
export async function deleteEventsChunk(
  db: Db,
  before: string,
  memoryBefore: string,
  chunk: number,
): Promise<{ events: number; seen: number; ids: number }> {
  const [e, s, i, ss] = await guard("deleteEventsChunk", () =>
    db.batch([
      db.delete(events).where(sql`rowid IN (${oldRowids("events", before, chunk)})`),
      db
        .delete(eventSeen)
        .where(sql`rowid IN (SELECT rowid FROM ${eventSeen} WHERE day < ${memoryBefore} LIMIT ${chunk})`),
      // WITHOUT ROWID: its key is (day, id).
      db
        .delete(eventIds)
        .where(sql`(day, id) IN (SELECT day, id FROM ${eventIds} WHERE day < ${memoryBefore} LIMIT ${chunk})`),
      db
        .delete(eventSeenSlices)
        .where(sql`rowid IN (SELECT rowid FROM ${eventSeenSlices} WHERE day < ${memoryBefore} LIMIT ${chunk})`),
    ]),
  );
  // `seen` sums both seen tables (a sum >= chunk makes the caller run one more chunk: harmless).
  return { events: e.meta.changes, seen: s.meta.changes + ss.meta.changes, ids: i.meta.changes };
}

/** The SELECT of up to `chunk` rowids of raw rows older than `before`, through the table's (day) index. */
export function oldRowids(table: "pings" | "events", before: string, chunk: number): SQL {
  const t = table === "pings" ? sql`${pings} INDEXED BY pings_day` : sql`${events} INDEXED BY events_day`;
  return sql`SELECT rowid FROM ${t} WHERE day < ${before} LIMIT ${chunk}`;
}
