import { log } from "../../lib/log";
import { utcDay } from "../../lib/time";
import type { Db } from "../../store/db";
import {
  deleteEventsChunk,
  deleteRawChunk,
  oldestRawDay,
  readState,
  rebuildDay,
  writeState,
} from "../../store/rollups";
import {
  EVENTS_RETENTION_CHUNK,
  EVENTS_RETENTION_MAX_CHUNKS,
  keepEventMemoryFrom,
  keepEventsFrom,
  keepFrom,
  planDays,
  RETENTION_CHUNK,
  RETENTION_MAX_CHUNKS,
  windowOf,
} from "./steps";

export interface LifecycleResult {
  rebuilt: string[];
  /** Days whose rebuild failed (logged; their previous rollups stay). They never block the others or retention. */
  failed: string[];
  builtThrough: string;
  deleted: { pings: number; events: number; seen: number; ids: number };
  keepFrom: string | null;
  /** First day whose raw events D1 keeps (older ones are in the R2 archive only). */
  keepEventsFrom: string | null;
}

/**
 * Builds the planned rollup days (one batch each, each isolated: a failing day is logged and
 * skipped, and retried by the next run), records progress, then applies retention: pings by
 * `retentionDays`, events by `events.d1Days` and their dedupe/seen memory by the dedupe horizon (skipped when `retentionDays` is undefined: the
 * configuration is invalid, and raw rows are kept; events also when `events` is not given).
 */
export async function runLifecycle(
  db: Db,
  retentionDays: number | undefined,
  now: number,
  events?: { d1Days: number; oldestPending: string | undefined },
): Promise<LifecycleResult> {
  const today = utcDay(now);
  const state = await readState(db);
  const plan = planDays(today, state?.builtThrough, state ? undefined : await oldestRawDay(db));
  const rebuilt: string[] = [];
  const failed: string[] = [];
  for (const day of plan.days) {
    try {
      // EVENTS_D1_DAYS = 0: no raw events to rebuild the frontend rollups from; the writer's counters stay.
      const cost = await rebuildDay(db, windowOf(day, today), events?.d1Days !== 0);
      log("info", "rollup day rebuilt", { day, ...cost });
      rebuilt.push(day);
    } catch (err) {
      failed.push(day);
      log("error", "rollup rebuild failed; day skipped", {
        day,
        detail: err instanceof Error ? err.message : String(err),
      });
    }
  }
  // A failed day holds progress back to it (inclusive), so the next run retries it and
  // retention (which follows builtThrough) keeps its raw rows until it is rolled up.
  const builtThrough = [plan.builtThrough, ...failed].sort()[0]!;
  await writeState(db, { builtThrough, builtAt: now });

  const deleted = { pings: 0, events: 0, seen: 0, ids: 0 };
  if (retentionDays === undefined)
    return { rebuilt, failed, builtThrough, deleted, keepFrom: null, keepEventsFrom: null };
  const keep = keepFrom(today, retentionDays, builtThrough);
  for (let i = 0; i < RETENTION_MAX_CHUNKS; i++) {
    const gone = await deleteRawChunk(db, keep, RETENTION_CHUNK);
    deleted.pings += gone.pings;
    if (gone.pings < RETENTION_CHUNK) break;
  }
  if (events === undefined) return { rebuilt, failed, builtThrough, deleted, keepFrom: keep, keepEventsFrom: null };
  const keepEvents = keepEventsFrom(today, events.d1Days, builtThrough, events.oldestPending);
  const keepMemory = keepEventMemoryFrom(today, keepEvents);
  for (let i = 0; i < EVENTS_RETENTION_MAX_CHUNKS; i++) {
    const gone = await deleteEventsChunk(db, keepEvents, keepMemory, EVENTS_RETENTION_CHUNK);
    deleted.events += gone.events;
    deleted.seen += gone.seen;
    deleted.ids += gone.ids;
    if (Math.max(gone.events, gone.seen, gone.ids) < EVENTS_RETENTION_CHUNK) break;
  }
  return { rebuilt, failed, builtThrough, deleted, keepFrom: keep, keepEventsFrom: keepEvents };
}
