import { log } from "../../http/respond";
import { utcDay } from "../../lib/time";
import type { Db } from "../../store/db";
import { deleteRawChunk, oldestRawDay, readState, rebuildDay, writeState } from "../../store/rollups";
import { keepFrom, parseRetention, planDays, RETENTION_CHUNK, RETENTION_MAX_CHUNKS, windowOf } from "./steps";

export interface LifecycleResult {
  rebuilt: string[];
  builtThrough: string;
  deleted: { pings: number; events: number };
  keepFrom: string | null;
}

/** Builds the planned rollup days (one batch each), records progress, then applies retention. */
export async function runLifecycle(db: Db, retentionVar: string | undefined, now: number): Promise<LifecycleResult> {
  const today = utcDay(now);
  const state = await readState(db);
  const plan = planDays(today, state?.builtThrough, state ? undefined : await oldestRawDay(db));
  for (const day of plan.days) await rebuildDay(db, windowOf(day));
  await writeState(db, { builtThrough: plan.builtThrough, builtAt: now });

  const deleted = { pings: 0, events: 0 };
  const retention = parseRetention(retentionVar);
  if (retention === undefined) {
    log("error", "RETENTION_DAYS is not an integer 35..3650; raw rows are kept", { value: retentionVar });
    return { rebuilt: plan.days, builtThrough: plan.builtThrough, deleted, keepFrom: null };
  }
  const keep = keepFrom(today, retention, plan.builtThrough);
  for (let i = 0; i < RETENTION_MAX_CHUNKS; i++) {
    const gone = await deleteRawChunk(db, keep, RETENTION_CHUNK);
    deleted.pings += gone.pings;
    deleted.events += gone.events;
    if (gone.pings < RETENTION_CHUNK && gone.events < RETENTION_CHUNK) break;
  }
  return { rebuilt: plan.days, builtThrough: plan.builtThrough, deleted, keepFrom: keep };
}
