/** UTC calendar day (YYYY-MM-DD) of a ms timestamp. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The day `n` days after (or before, n < 0) a YYYY-MM-DD day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** ISO time of a stored ms timestamp, or null when it is not a valid Date (never throws). */
export function isoTime(ms: unknown): string | null {
  if (typeof ms !== "number" || !(Math.abs(ms) <= 8.64e15)) return null;
  return new Date(ms).toISOString();
}
