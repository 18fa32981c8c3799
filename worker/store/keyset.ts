import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Cursor } from "../lib/cursor";

/**
 * Keyset condition for newest-first pages ordered by (time DESC, id DESC): rows strictly after
 * the cursor's row. No cursor -> no condition (the first page).
 */
export function olderThan(time: SQLiteColumn, id: SQLiteColumn, after: Cursor | undefined): SQL | undefined {
  return after ? or(lt(time, after.t), and(eq(time, after.t), lt(id, after.id))) : undefined;
}
