import { eq, lte } from "drizzle-orm";
import { salts } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { toHex } from "../lib/hex";

function randomHex(bytes: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Per-isolate cache of the current day's salt (a cache, not request state; at most 2 days). */
const cache = new Map<string, string>();

/** The salt of a UTC day, created on first use (racing creators agree: INSERT OR IGNORE). */
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
  if (cache.size >= 2) cache.clear();
  cache.set(day, salt);
  return salt;
}

/** Deletes the salts of `lastDay` (YYYY-MM-DD) and every earlier day. Returns how many. */
export async function deleteSaltsThrough(db: Db, lastDay: string): Promise<number> {
  const gone = await guard("deleteSalts", () =>
    db.delete(salts).where(lte(salts.day, lastDay)).returning({ day: salts.day }),
  );
  return gone.length;
}
