import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as tables from "../../schema/tables";
import { HttpError } from "../lib/error";
import { log } from "../lib/log";

export type Db = DrizzleD1Database<typeof tables>;

/**
 * Per-isolate cache of the drizzle handle per binding: building one walks every table of the
 * schema (drizzle's relational config), which a ping would otherwise pay twice (damping, then the
 * route). The handle holds no request state: it wraps the binding, which is the same object for
 * every request of the isolate (a cache, not request state).
 */
const handles = new WeakMap<D1Database, Db>();

/** The drizzle handle over the DB binding; a missing binding is a loud 503, not a no-op. */
export function database(env: Env): Db {
  if (!env.DB) {
    log("error", "DB binding is missing");
    throw new HttpError(503, "not_configured", "Storage is not configured.");
  }
  let db = handles.get(env.DB);
  if (!db) {
    db = drizzle(env.DB, { schema: tables });
    handles.set(env.DB, db);
  }
  return db;
}

/**
 * Runs one storage operation; a D1 failure is logged with its detail and answered
 * 503 storage_unavailable with Retry-After (clients retry; ids make retries safe).
 */
export async function guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const e = err instanceof Error ? err : new Error(String(err));
    // drizzle wraps D1 errors in a message that lists the bound parameters: log the cause only.
    const detail = e.cause instanceof Error ? e.cause.message : e.message.split("\nparams:")[0];
    log("error", "storage failure", { op, detail });
    throw new HttpError(503, "storage_unavailable", "Storage is temporarily unavailable.", {}, { "retry-after": "30" });
  }
}
