import { eq, min, sql, type SQL } from "drizzle-orm";
import {
  events,
  eventSeen,
  pings,
  rollupActive,
  rollupCommands,
  rollupCube,
  rollupDims,
  rollupEventProps,
  rollupEvents,
  rollupExceptions,
  rollupFrontend,
  rollupMetrics,
  rollupPages,
  rollupSessions,
  rollupState,
} from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { buildStatements } from "./rollupSql";
import type { DayWindow } from "./dayWindow";

const STATE = "daily";
const rollupTables = [
  rollupActive,
  rollupDims,
  rollupCube,
  rollupMetrics,
  rollupExceptions,
  rollupFrontend,
  rollupPages,
  rollupEvents,
  rollupEventProps,
  rollupCommands,
  rollupSessions,
];

/**
 * Rebuilds one day of every rollup table in ONE db.batch (one transaction): the day's old rows
 * are deleted and recomputed from raw rows (active-N from instance_activity), so a rebuild
 * counts pings that arrived since.
 */
export async function rebuildDay(db: Db, w: DayWindow): Promise<void> {
  await guard("rebuildDay", async () => {
    const [first, ...rest] = [
      ...rollupTables.map((t) => db.delete(t).where(eq(t.day, w.d))),
      ...buildStatements.map(([table, select]) => db.insert(table).select(select(w))),
    ];
    await db.batch([first!, ...rest]);
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
 * Deletes at most `chunk` raw events and `chunk` seen sessions/visitors (event_seen, the
 * incremental counters' memory) of days before `before`, in one batch (two statements, one bound
 * parameter each), through the events_day index and event_seen's primary key (day first).
 */
export async function deleteEventsChunk(
  db: Db,
  before: string,
  chunk: number,
): Promise<{ events: number; seen: number }> {
  const [e, s] = await guard("deleteEventsChunk", () =>
    db.batch([
      db.delete(events).where(sql`rowid IN (${oldRowids("events", before, chunk)})`),
      db.delete(eventSeen).where(sql`rowid IN (SELECT rowid FROM ${eventSeen} WHERE day < ${before} LIMIT ${chunk})`),
    ]),
  );
  return { events: e.meta.changes, seen: s.meta.changes };
}

/** The SELECT of up to `chunk` rowids of raw rows older than `before`, through the table's (day) index. */
export function oldRowids(table: "pings" | "events", before: string, chunk: number): SQL {
  const t = table === "pings" ? sql`${pings} INDEXED BY pings_day` : sql`${events} INDEXED BY events_day`;
  return sql`SELECT rowid FROM ${t} WHERE day < ${before} LIMIT ${chunk}`;
}
