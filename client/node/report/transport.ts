import type { ErrorCode } from "@candor-telemetry/schema/wire/errors";
import { instanceKeyAuthorization } from "@candor-telemetry/schema/wire/instanceKey";
import { pingResponse, type PingRequest, type PingResponse } from "@candor-telemetry/schema/wire/ping";

export interface TransportOptions {
  /** Per-attempt timeout (default 3 s). */
  timeoutMs?: number;
  /** Attempts in all (default 3). */
  attempts?: number;
  /** First backoff (default 1 s), doubled each retry, with jitter. */
  backoffMs?: number;
  /** A server's Retry-After is honoured up to this (default 30 s); a longer one ends the attempts (kept for later). */
  retryAfterCapMs?: number;
  fetch?: typeof fetch;
  /** Waits between attempts; the default timer is unref()ed so it never holds the process. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborts the request in flight and any further attempt (the client's stop()). */
  signal?: AbortSignal;
}

export type SendResult =
  | { ok: true; status: 200; answer: PingResponse }
  | { ok: false; status: number | null; retryable: boolean; error: string; code?: ErrorCode };

/**
 * The worker's answer when the instance has a registered key that the request did not present
 * (403). Refused for good: resending cannot change it.
 */
export const KEY_MISMATCH: ErrorCode = "instance_key_mismatch";

/** The `error.code` of a worker's JSON error answer, if it is one (a proxy's page is not). */
async function errorCodeOf(res: Response): Promise<ErrorCode | undefined> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown } };
    return typeof body?.error?.code === "string" ? (body.error.code as ErrorCode) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers that refuse a report for good: it is never resent. So does a 403 whose code is
 * KEY_MISMATCH (below); any other 4xx (401, 403, 404, 408, a proxy's) is kept for later.
 */
export const PERMANENT_REJECTIONS: ReadonlySet<number> = new Set([400, 413, 422]);

/** An unref()ed timer: never keeps the process alive. Resolves early when `signal` aborts. */
export function unrefSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => (clearTimeout(timer), signal?.removeEventListener("abort", done), resolve());
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A signal that aborts after `ms` (an unref()ed timer) or when `outer` aborts; `clear` drops the timer. */
function attemptSignal(ms: number, outer: AbortSignal | undefined): { signal: AbortSignal; clear: () => void } {
  const c = new AbortController();
  const onOuter = () => c.abort(outer?.reason);
  const timer = setTimeout(() => c.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError")), ms);
  timer.unref();
  outer?.addEventListener("abort", onOuter, { once: true });
  return { signal: c.signal, clear: () => (clearTimeout(timer), outer?.removeEventListener("abort", onOuter)) };
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * One request with retries: network errors, timeouts and 5xx are retried with exponential
 * backoff, or after the server's Retry-After when it is within the cap (a longer one stops the
 * attempts: the caller keeps the request for later); other answers are returned. Never throws.
 */
async function withRetry(
  attempt: (signal: AbortSignal) => Promise<Response>,
  opts: TransportOptions,
): Promise<{ res: Response } | { res: null; error: string }> {
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? unrefSleep;
  let error = "not attempted";
  let wait: number | undefined;
  for (let n = 0; n < attempts; n++) {
    if (n > 0)
      await sleep(
        Math.max(wait ?? 0, (opts.backoffMs ?? 1000) * 2 ** (n - 1) * (0.75 + Math.random() / 2)),
        opts.signal,
      );
    if (opts.signal?.aborted) return { res: null, error: `${error}; stopped before another attempt` };
    const { signal, clear } = attemptSignal(opts.timeoutMs ?? 3000, opts.signal);
    try {
      const res = await attempt(signal);
      if (res.status < 500) return { res };
      error = `HTTP ${res.status}`;
      wait = retryAfterMs(res.headers.get("retry-after"));
      await res.body?.cancel();
      if (wait !== undefined && wait > (opts.retryAfterCapMs ?? 30_000))
        return { res: null, error: `${error}, Retry-After ${Math.round(wait / 1000)} s` };
    } catch (err) {
      error = inWords(err, opts.signal);
      wait = undefined;
    } finally {
      clear();
    }
  }
  return { res: null, error };
}

/**
 * A failed attempt in words (`fetch failed` names nothing): the timeout, or the network error
 * under it (fetch's `cause`: connection refused, no such host, reset, TLS).
 */
function inWords(err: unknown, stop: AbortSignal | undefined): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError") return `the server did not answer (${err.message})`;
  if (err.name === "AbortError") return stop?.aborted ? "stopped" : "the request was aborted";
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: "the server could not be reached (connection refused)",
    ENOTFOUND: "the server's host name was not found",
    EAI_AGAIN: "the server's host name could not be looked up (DNS)",
    ECONNRESET: "the connection to the server was reset",
    ETIMEDOUT: "the connection to the server timed out",
    EHOSTUNREACH: "the server's network cannot be reached",
    ENETUNREACH: "the network is unreachable",
  };
  if (code && words[code]) return words[code];
  if (err.message === "fetch failed") return `the server could not be reached${code ? ` (${code})` : ""}`;
  return `${err.name}: ${err.message}`;
}

/**
 * POST <endpoint>/v1/ping with an Idempotency-Key and, when given, the installation key as
 * `Authorization: Bearer` (never in the body): only HTTP 200 with a valid answer is success.
 */
export async function sendPing(
  endpoint: string,
  payload: PingRequest,
  key: string,
  opts: TransportOptions = {},
  instanceKey?: string,
): Promise<SendResult> {
  const doFetch = opts.fetch ?? fetch;
  const url = `${endpoint.replace(/\/+$/, "")}/v1/ping`;
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "idempotency-key": key };
  if (instanceKey) headers.authorization = instanceKeyAuthorization(instanceKey);
  const out = await withRetry((signal) => doFetch(url, { method: "POST", headers, body, signal }), opts);
  if (out.res === null) return { ok: false, status: null, retryable: true, error: out.error };
  const { res } = out;
  if (res.status !== 200) {
    const code = res.status === 403 ? await errorCodeOf(res) : (await res.body?.cancel(), undefined);
    return {
      ok: false,
      status: res.status,
      retryable: !PERMANENT_REJECTIONS.has(res.status) && code !== KEY_MISMATCH,
      error: code ? `HTTP ${res.status} ${code}` : `HTTP ${res.status}`,
      ...(code ? { code } : {}),
    };
  }
  try {
    const answer = pingResponse.safeParse(await res.json());
    if (answer.success) return { ok: true, status: 200, answer: answer.data };
    return {
      ok: false,
      status: 200,
      retryable: true,
      error: "the server's answer did not match the ping response schema",
    };
  } catch {
    return { ok: false, status: 200, retryable: true, error: "the server's answer was not JSON" };
  }
}

/**
 * DELETE <endpoint>/v1/instances/<id>, proving the installation with its key (`Authorization:
 * Bearer`) when it has one: true on 204 (or 200). Never throws.
 */
export async function forgetRemote(
  endpoint: string,
  instanceId: string,
  opts: TransportOptions = {},
  instanceKey?: string,
): Promise<{ ok: boolean; error?: string; code?: ErrorCode }> {
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = instanceKey ? { authorization: instanceKeyAuthorization(instanceKey) } : {};
  const out = await withRetry(
    (signal) => doFetch(forgetUrl(endpoint, instanceId), { method: "DELETE", headers, signal }),
    opts,
  );
  if (out.res === null) return { ok: false, error: out.error };
  if (out.res.status === 204 || out.res.status === 200) {
    await out.res.body?.cancel();
    return { ok: true };
  }
  const code = out.res.status === 403 ? await errorCodeOf(out.res) : (await out.res.body?.cancel(), undefined);
  return {
    ok: false,
    error: code ? `HTTP ${out.res.status} ${code}` : `HTTP ${out.res.status}`,
    ...(code ? { code } : {}),
  };
}

export function forgetUrl(endpoint: string, instanceId: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/instances/${encodeURIComponent(instanceId)}`;
}
