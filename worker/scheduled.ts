import { log } from "./lib/log";
import { config } from "./config";
import { database } from "./store/db";
import { deleteSaltsThrough, saltFor } from "./store/salts";
import { addDays, DAY_MS, utcDay } from "./lib/time";
import { runLifecycle } from "./pipeline/rollup/run";
import { flushPendingArchive, oldestPendingDay } from "./store/eventArchive";
import { compactArchive } from "./store/eventCompaction";

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
  let eventsD1Days: number | undefined;
  try {
    ({ retentionDays, eventsD1Days } = config(env));
  } catch {
    retentionDays = undefined;
  }
  // Archive objects a writer could not put (the outbox), before retention may delete their rows.
  const archived = await flushPendingArchive(db, env.ARCHIVE, now);
  if (archived > 0) log("warn", "event archive objects put by the cron", { objects: archived });
  const events =
    eventsD1Days === undefined ? undefined : { d1Days: eventsD1Days, oldestPending: await oldestPendingDay(db) };
  const lifecycle = await runLifecycle(db, retentionDays, now, events);
  // The archive's write objects of the days still written to, merged (one export reads them all).
  const today = utcDay(now);
  await compactArchive(env.ARCHIVE, [addDays(today, -2), addDays(today, -1), today]);
  log("info", "rollups", { ...lifecycle, rebuilt: lifecycle.rebuilt.length });
}
