/** Candor keeps uptime in whole seconds, at most this many (317 years; a Go Duration tops out at 292). */
export const MAX_UPTIME_SECONDS = 1e10;

/**
 * FerretDB's `uptime` (a Go time.Duration: integer nanoseconds, up to 2^63 - 1) as whole seconds.
 * `source` is the value's JSON text: an integer is divided exactly (BigInt), so values past 2^53,
 * which JSON.parse rounds, lose nothing. Anything else (a fraction, an exponent, a string,
 * negative or beyond MAX_UPTIME_SECONDS) is not an uptime: null, never an error.
 */
export function uptimeSeconds(source: string | undefined, parsed: unknown): number | null {
  let seconds: number;
  if (source !== undefined && /^\d{1,30}$/.test(source)) {
    seconds = Number(BigInt(source) / 1_000_000_000n);
  } else if (typeof parsed === "number" && Number.isFinite(parsed) && parsed >= 0) {
    seconds = Math.floor(parsed / 1e9);
  } else {
    return null;
  }
  return seconds <= MAX_UPTIME_SECONDS ? seconds : null;
}
