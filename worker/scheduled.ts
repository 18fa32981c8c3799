import { log } from "./lib/log";
import { config } from "./config";
import { database, type Db } from "./store/db";
import { deleteSaltsThrough, saltFor } from "./store/salts";
import { addDays, DAY_MS, utcDay } from "./lib/time";
import { runLifecycle } from "./pipeline/rollup/run";
import { backfillArchive, flushPendingArchive, oldestPendingDay, oldestUnarchivedDay } from "./store/eventArchive";
import { compactArchive } from "./store/eventCompaction";
import { erasedNow, isErased, purgeErased } from "./store/eventErasure";

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
  // Events stored before the archive existed go to R2 first (a few thousand per run).
  await isolated("backfill", () => backfillArchive(db, env.ARCHIVE));
  // Raw events stay in D1 while their archive object is still to be put (outbox, backfill).
  const events =
    eventsD1Days === undefined
      ? undefined
      : {
          d1Days: eventsD1Days,
          oldestPending: [await oldestPendingDay(db), await oldestUnarchivedDay(db)]
            .filter((d): d is string => d !== undefined)
            .sort()[0],
        };
  const lifecycle = await runLifecycle(db, retentionDays, now, events);
  log("info", "rollups", { ...lifecycle, rebuilt: lifecycle.rebuilt.length });
  await archiveMaintenance(db, env.ARCHIVE, now);
}

/**
 * The raw-event archive's cron work, each step isolated (a failure is logged and retried next
 * hour; R2 calls stay under the invocation's 1,000 subrequests: backfill <= ~50, outbox <= 100,
 * erasure <= 50 x 5, compaction <= 500): objects
 * a writer could not put (the outbox), erased installations' events removed, and the write
 * objects of the days still written to (today and the two before) merged.
 */
async function archiveMaintenance(db: Db, bucket: R2Bucket, now: number): Promise<void> {
  const today = utcDay(now);
  const steps: Array<[string, () => Promise<unknown>]> = [
    [
      "outbox",
      async () => {
        const erased = await erasedNow(db);
        return flushPendingArchive(db, bucket, now, (e) => !isErased(erased, e));
      },
    ],
    ["erasure", () => purgeErased(db, bucket, now)],
    ["compaction", () => compactArchive(db, bucket, [addDays(today, -2), addDays(today, -1), today])],
  ];
  for (const [step, run] of steps) await isolated(step, run);
}

/** Runs one archive step; a failure is logged (the next hourly run retries it), never thrown. */
async function isolated(step: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    log("error", "event archive maintenance failed; retried next run", {
      step,
      detail: err instanceof Error ? err.message : String(err),
    });
  }
}
