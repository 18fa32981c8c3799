/**
 * Waiting for the queue consumer. With INGEST_MODE=queue (the deployed default) a route answers
 * before D1 has its rows; a test that reads back what it sent polls until the rows are there,
 * up to a deadline, never for a fixed time. Node-side (tests under `wrangler dev` or Miniflare).
 */

export interface PollOptions {
  /** Give up after this many milliseconds (default 30 s: a loaded 2-core machine; the local queue batches for 1 s). */
  timeoutMs?: number;
  /** Pause between reads (default 100 ms). */
  intervalMs?: number;
}

/**
 * Reads until `ready(value)` holds or the deadline passes, and returns the last value either way,
 * so the caller's assertion on it says what was missing (`expect(await eventually(...)).toEqual(...)`).
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ready: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 100 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ready(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await read();
  }
  return value;
}

/** Product of the marker pings `drained()` sends: tests that count whole tables leave it out. */
export const DRAIN_MARKER_PRODUCT = "candor-drain-marker";

/**
 * Resolves once everything sent to `worker` before this call has been through the queue consumer:
 * sends a marker ping (a fresh installation of DRAIN_MARKER_PRODUCT) and waits until D1 has it.
 * The local queue (Miniflare's broker) delivers in order, one batch at a time, so the earlier
 * messages were stored (or failed) first. For "nothing was written" checks: without it, a row
 * queued by mistake could land after the assertion.
 */
export async function drained(
  worker: { url: string; query<T = Record<string, unknown>>(sql: string): Promise<T[]> },
  options: PollOptions = {},
): Promise<void> {
  const instanceId = crypto.randomUUID();
  const res = await fetch(`${worker.url}/v1/ping`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.250" },
    body: JSON.stringify({ instanceId, product: DRAIN_MARKER_PRODUCT, version: "0.0.0" }),
  });
  if (res.status !== 200) throw new Error(`drain marker answered ${res.status}: ${await res.text()}`);
  const stored = await eventually(
    () => worker.query<{ n: number }>(`SELECT count(*) AS n FROM pings WHERE instance_id = '${instanceId}'`),
    (rows) => Number(rows[0]?.n) === 1,
    options,
  );
  if (Number(stored[0]?.n) !== 1) throw new Error("the queue did not drain before the deadline");
}
