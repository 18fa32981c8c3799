/**
 * What a test gets back from either harness (wranglerDev.ts: the `wrangler dev` CLI, as users run
 * it; miniflare.ts: in-process), and the options both take.
 */

export interface WorkerOptions {
  /** Bearer token of /v1/admin/*; default "test-admin-token". */
  adminToken?: string;
  /** wrangler.toml [vars] overrides (`--var`). */
  vars?: Record<string, string>;
  /** SQL run against the migrated database before the worker starts (`wrangler d1 execute --file`). */
  seedSql?: string;
  /** An existing state dir, already migrated and kept by stop(); default: a fresh temp dir, migrated here, removed by stop(). */
  persistTo?: string;
  /** Parent of the fresh temp state dir (default the OS temp dir). */
  tmpRoot?: string;
  /** Milliseconds to wait for /v1/health (default 120 s: two shared cores, several runs at once). */
  readyTimeoutMs?: number;
  /**
   * `--log-level error`: no log line per request (benchmarks, where logging costs CPU the worker
   * needs). wrangler then prints no "Ready on" line, so the port is asked of the OS beforehand.
   */
  quiet?: boolean;
}

/** A running worker: the same shape whether `wrangler dev` or Miniflare runs it. */
export interface RunningWorker {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** The local D1 state dir (`--persist-to`); its database is `d1File(persistTo)`. */
  persistTo: string;
  adminToken: string;
  /** fetch(url + path) with the admin bearer token and a JSON content type. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** Rows of one SQL statement run straight against the worker's local D1 (not through its routes). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Runs the worker's scheduled() handler once, as the cron trigger would. */
  scheduled(cron?: string): Promise<void>;
  /**
   * The process whose descendants run the worker's workerd (wrangler's for `wrangler dev`, this
   * process for Miniflare): benchmarks read their CPU time (bench/workerdCpu.mjs).
   */
  pid: number;
  /** Everything the runtime printed so far (for failure messages). */
  log(): string;
  /** Ends the worker (idempotent) and removes the state dir it created. */
  stop(): Promise<void>;
}

export const DEFAULT_ADMIN_TOKEN = "test-admin-token";
export const CRON = "17 * * * *"; // wrangler.toml [triggers]

/** fetch with the admin token; shared by both harnesses. */
export function adminFetch(url: string, token: string) {
  return (p: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${p}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...(init.headers as Record<string, string> | undefined),
      },
    });
}
