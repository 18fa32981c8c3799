/**
 * Rollup and retention planning: small pure steps (days are UTC YYYY-MM-DD strings).
 * "Recent" = today, yesterday and the day before: every run rebuilds them, so pings that arrive
 * after a day was first rolled up (the hourly runs roll up the day in progress; a missed run or a
 * late delivery leaves a day short) are counted when that day is rebuilt.
 */
import { ACTIVITY_REACH_DAYS, ACTIVITY_WINDOW_DAYS } from "../../lib/activityMask";
import { addDays, dayRange } from "../../lib/time";
import type { DayWindow } from "../../store/dayWindow";
import { dedupeFrom } from "../../store/eventWrites";

export const RECENT_DAYS = 3;
/** Days of backlog (first run, or after an outage) built per run, oldest first. */
export const BACKFILL_DAYS_PER_RUN = 31;
/** Rows per delete statement and statements per run, per table: 500 x 40 = 20,000 rows/run. */
export const RETENTION_CHUNK = 500;
export const RETENTION_MAX_CHUNKS = 40;
/**
 * Raw events leave D1 after EVENTS_D1_DAYS, so a run must delete about an hour of capture:
 * 5,000 rows per statement (events and event_seen each) and up to 100 statements per run =
 * 500,000 events an hour, 12 million a day (D1 allows 1,000 queries per invocation).
 */
export const EVENTS_RETENTION_CHUNK = 5000;
export const EVENTS_RETENTION_MAX_CHUNKS = 100;
/** The longest window (active-30, facts). Only the raw fallback reads its raw rows. */
const WINDOW_DAYS = ACTIVITY_WINDOW_DAYS;

/** Whether day `d`'s windows are answered from instance_activity (else from the raw 30-day window). */
export function withinActivityReach(d: string, today: string): boolean {
  return d >= addDays(today, -ACTIVITY_REACH_DAYS);
}

export function windowOf(d: string, today: string): DayWindow {
  const d30 = addDays(d, -(WINDOW_DAYS - 1));
  const ms = (day: string) => Date.parse(`${day}T00:00:00Z`);
  return {
    d,
    d7: addDays(d, -6),
    d30,
    from30Ms: ms(d30),
    fromMs: ms(d),
    toMs: ms(addDays(d, 1)),
    fromActivity: withinActivityReach(d, today),
  };
}

export interface Plan {
  days: string[];
  builtThrough: string;
}

/**
 * Days to build this run: the backlog since the last run's `builtThrough` (inclusive, it may
 * have been built mid-day), or since the oldest raw day on the first run, at most
 * BACKFILL_DAYS_PER_RUN of it, then the RECENT_DAYS ending today.
 */
export function planDays(today: string, builtThrough: string | undefined, oldestRaw: string | undefined): Plan {
  const recentFrom = addDays(today, -(RECENT_DAYS - 1));
  const from = builtThrough ?? oldestRaw ?? recentFrom;
  const backlogEnd = addDays(recentFrom, -1);
  const capEnd = addDays(from, BACKFILL_DAYS_PER_RUN - 1);
  const backlog = from <= backlogEnd ? dayRange(from, capEnd < backlogEnd ? capEnd : backlogEnd) : [];
  const done = capEnd >= backlogEnd;
  return {
    days: [...backlog, ...dayRange(recentFrom, today)],
    builtThrough: done ? today : backlog[backlog.length - 1]!,
  };
}

/**
 * First raw day to KEEP: days before it are deleted. It is RETENTION_DAYS back from today, and
 * never later than what the next rebuild still reads: the raw rows of the days it rebuilds (from
 * `builtThrough`, and the RECENT_DAYS) and, while the backlog holds days beyond the activity
 * table's reach (a first run over old data), the raw 30-day windows behind `builtThrough` that
 * its fallback reads. (Below RETENTION_DAYS = 30, a cron outage of more than ACTIVITY_REACH_DAYS
 * days leaves the fallback days of its backlog with partial windows: docs/ARCHITECTURE.md.)
 */
export function keepFrom(today: string, retentionDays: number, builtThrough: string): string {
  const byAge = addDays(today, -retentionDays);
  const recent = addDays(today, -(RECENT_DAYS - 1));
  const own = builtThrough < recent ? builtThrough : recent;
  const needed = withinActivityReach(builtThrough, today) ? own : addDays(builtThrough, -(WINDOW_DAYS + RECENT_DAYS));
  return byAge < needed ? byAge : needed;
}

/**
 * First raw-event day to KEEP in D1: EVENTS_D1_DAYS back from today, and never later than
 * `builtThrough` (a day still to be rebuilt reads its own raw events; events rollups read no
 * window), nor later than the oldest day with an archive object still to put (the outbox reads
 * its rows from D1). Older events live on in the R2 archive and in the rollups.
 */
export function keepEventsFrom(
  today: string,
  eventsD1Days: number,
  builtThrough: string,
  oldestPending?: string,
): string {
  return [addDays(today, -eventsD1Days), builtThrough, ...(oldestPending ? [oldestPending] : [])].sort()[0]!;
}

/**
 * First day of the event writer's memory to KEEP (event_ids: uuids stored; event_seen: sessions
 * and visitors counted, with each session's first and last page view): the dedupe horizon
 * (EVENT_DEDUPE_DAYS, the days a late delivery or a resend may still name), and never later than
 * the raw events D1 keeps (a day rebuilt from them keeps its memory as long as they stay).
 */
export function keepEventMemoryFrom(today: string, keepEvents: string): string {
  const horizon = dedupeFrom(today);
  return horizon < keepEvents ? horizon : keepEvents;
}
