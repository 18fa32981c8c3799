import { log } from "./lib/log";
import { config } from "./config";
import { database } from "./store/db";
import { deleteSaltsThrough, saltFor } from "./store/salts";
import { DAY_MS, utcDay } from "./lib/time";
import { runLifecycle } from "./pipeline/rollup/run";

/**
 * Cron work (wrangler.toml [triggers]); `now` is passed in so tests control time.
 * Salts: today's and tomorrow's are created ahead (requests only read them: a request, refused
 * or not, never writes a salt row, and tomorrow's exists before midnight); a day's salt is
 * deleted once 48 h have passed since that day began.
 */
export async function runScheduled(env: Env, now: number): Promise<void> {
  const db = database(env);
  await saltFor(db, utcDay(now), now);
  await saltFor(db, utcDay(now + DAY_MS), now);
  const deleted = await deleteSaltsThrough(db, utcDay(now - 2 * DAY_MS));
  log("info", "scheduled", { saltsDeleted: deleted });
  // Daily rollups (recent days rebuilt) and raw-row retention: worker/pipeline/rollup.
  // An invalid configuration (logged by config()) skips retention only: raw rows are kept.
  let retentionDays: number | undefined;
  try {
    retentionDays = config(env).retentionDays;
  } catch {
    retentionDays = undefined;
  }
  const lifecycle = await runLifecycle(db, retentionDays, now);
  log("info", "rollups", { ...lifecycle, rebuilt: lifecycle.rebuilt.length });
}
