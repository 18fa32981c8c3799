import { eq, lte } from "drizzle-orm";
import { salts } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { toHex } from "../lib/hex";

function randomHex(bytes: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Per-isolate cache of recent days' salts (a cache, not request state; at most 2 days). */
const cache = new Map<string, string>();

function remember(day: string, salt: string): void {
  if (cache.size >= 2) cache.clear();
  cache.set(day, salt);
}

/**
 * The salt of a UTC day, created when missing (racing creators agree: INSERT OR IGNORE). Only
 * the cron calls it (scheduled.ts, for today and tomorrow): requests use {@link readSalt}.
 */
export async function saltFor(db: Db, day: string, now: number): Promise<string> {
  const hit = cache.get(day);
  if (hit) return hit;
  const [, rows] = await guard("saltFor", () =>
    db.batch([
      db
        .insert(salts)
        .values({ day, salt: randomHex(32), createdAt: now })
        .onConflictDoNothing(),
      db.select({ salt: salts.salt }).from(salts).where(eq(salts.day, day)),
    ]),
  );
  const salt = rows[0]!.salt;
  remember(day, salt);
  return salt;
}

/** The salt of a UTC day if it exists. A read only: a request never writes a salt. */
export async function readSalt(db: Db, day: string): Promise<string | undefined> {
  const hit = cache.get(day);
  if (hit) return hit;
  const rows = await guard("readSalt", () =>
    db.select({ salt: salts.salt }).from(salts).where(eq(salts.day, day)).limit(1),
  );
  const salt = rows[0]?.salt;
  if (salt !== undefined) remember(day, salt);
  return salt;
}

/** Deletes the salts of `lastDay` (YYYY-MM-DD) and every earlier day. Returns how many. */
export async function deleteSaltsThrough(db: Db, lastDay: string): Promise<number> {
  const gone = await guard("deleteSalts", () =>
    db.delete(salts).where(lte(salts.day, lastDay)).returning({ day: salts.day }),
  );
  return gone.length;
}
