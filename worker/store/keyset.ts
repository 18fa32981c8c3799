import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Cursor } from "../lib/cursor";

/**
 * Keyset paging, newest first: the ORDER BY (time DESC, id DESC) and the condition that keeps
 * only rows strictly after the cursor's row, built together so they cannot disagree.
 * No cursor -> no condition (the first page).
 */
export function newestFirst(
  time: SQLiteColumn,
  id: SQLiteColumn,
  after: Cursor | undefined,
): { after: SQL | undefined; order: [SQL, SQL] } {
  return {
    after: after ? or(lt(time, after.t), and(eq(time, after.t), lt(id, after.id))) : undefined,
    order: [desc(time), desc(id)],
  };
}
