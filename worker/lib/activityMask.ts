/**
 * The per-installation activity record (table instance_activity): the newest day it pinged and a
 * bitmask of the days before it. Pure functions, the specification of the SQL in
 * worker/store/activity.ts (test/worker/activity.test.ts checks one against the other).
 * BigInt: the mask needs 62 bits, JS numbers hold 53.
 */
import { DAY_MS } from "./time";

/** Bits per mask: bit k = pinged on day `lastDay - k`, k in 0..61 (SQLite integers are signed 64-bit: the sign bit stays clear). */
export const ACTIVITY_BITS = 62;
export const ACTIVITY_MASK = (1n << BigInt(ACTIVITY_BITS)) - 1n;
/** The longest window the rollups ask about (active-30, facts). */
export const ACTIVITY_WINDOW_DAYS = 30;
/**
 * A day D is answered exactly from the table when D >= today - ACTIVITY_REACH_DAYS: a row's
 * last_day is at most today, and D's 30-day window then needs bits up to
 * (today - D) + 29 <= 61. Older days (a first run over old data, an outage longer than a month)
 * fall back to the raw-window SQL.
 */
export const ACTIVITY_REACH_DAYS = ACTIVITY_BITS - ACTIVITY_WINDOW_DAYS;

export interface Activity {
  lastDay: string;
  seen: bigint;
}

/** Whole days from `earlier` to `later` (YYYY-MM-DD; negative when later is earlier). */
export function dayGap(later: string, earlier: string): number {
  return Math.round((Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`)) / DAY_MS);
}

/** `seen` shifted left by `n` days and cut to the mask (SQLite's << gives 0 from 64 on; so does this). */
function shifted(seen: bigint, n: number): bigint {
  return n >= 64 ? 0n : (seen << BigInt(n)) & ACTIVITY_MASK;
}

/**
 * The union of two records: the newer last day, and both masks aligned on it. Commutative,
 * associative and idempotent, so pings merged in any order, or twice, give the same record;
 * a day more than 61 days before the newest is dropped.
 */
export function mergeActivity(a: Activity | undefined, b: Activity): Activity {
  if (!a) return { lastDay: b.lastDay, seen: b.seen & ACTIVITY_MASK };
  const lastDay = a.lastDay > b.lastDay ? a.lastDay : b.lastDay;
  return {
    lastDay,
    seen: shifted(a.seen, dayGap(lastDay, a.lastDay)) | shifted(b.seen, dayGap(lastDay, b.lastDay)),
  };
}

/** A ping on `day` merged into the record. */
export function mergeDay(a: Activity | undefined, day: string): Activity {
  return mergeActivity(a, { lastDay: day, seen: 1n });
}

/**
 * Whether the installation pinged in the `n` days ending with `d` (n in 1..30). Exact when the
 * window's bits are in the mask: d >= lastDay - (61 - (n - 1)); beyond that the missing bits count as "not seen".
 */
export function inWindow(a: Activity | undefined, d: string, n: number): boolean {
  if (!a) return false;
  if (a.lastDay < d) return dayGap(d, a.lastDay) <= n - 1;
  const back = dayGap(a.lastDay, d);
  if (back >= 64) return false;
  return ((a.seen >> BigInt(back)) & ((1n << BigInt(n)) - 1n)) !== 0n;
}
