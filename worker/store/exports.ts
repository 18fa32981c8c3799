import { sql, type SQL } from "drizzle-orm";
import type { Db } from "./db";
import { guard } from "./db";

/**
 * Raw pings for the CSV export (events are exported from the R2 archive: store/eventArchive.ts), read page by page in (day, rowid) order with a keyset that SEEKS:
 * each page is ONE statement of two index range reads (the rest of the cursor's day, then the
 * following days), each stopped by LIMIT, merged by a sort of at most 2 x limit rows. Both use
 * an index starting with day (pings_day; rowid is an index's last column), so a page
 * costs the same at the start and at the end of a range.
 */
export type ExportTable = "pings";
/** Position after the last row sent; the first page starts at (from, 0). */
export interface ExportCursor {
  day: string;
  rowid: number;
}
export interface ExportRange {
  product?: string | undefined;
  from: string;
  to: string;
}
export type RawRow = Record<string, string | number | null> & { _rid: number; day: string };

const productIs = (r: ExportRange): SQL => (r.product === undefined ? sql`` : sql` AND product = ${r.product}`);

/** Rows of the range (one counting statement through the same index). */
export async function exportCount(db: Db, table: ExportTable, r: ExportRange): Promise<number> {
  const rows = await guard("exportCount", () =>
    db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM ${sql.identifier(table)} WHERE day BETWEEN ${r.from} AND ${r.to}${productIs(r)}`,
    ),
  );
  return rows[0]?.n ?? 0;
}

/** The SELECT of one page (exported for EXPLAIN QUERY PLAN in tests). */
export function exportPageSql(
  table: ExportTable,
  columns: string[],
  r: ExportRange,
  c: ExportCursor,
  limit: number,
): SQL {
  const t = sql.identifier(table);
  const cols = sql.join([sql`rowid AS _rid`, ...columns.map((col) => sql.identifier(col))], sql`, `);
  return sql`SELECT * FROM (SELECT ${cols} FROM ${t} WHERE day = ${c.day} AND rowid > ${c.rowid}${productIs(r)} ORDER BY rowid LIMIT ${limit})
    UNION ALL
    SELECT * FROM (SELECT ${cols} FROM ${t} WHERE day > ${c.day} AND day <= ${r.to}${productIs(r)} ORDER BY day, rowid LIMIT ${limit})
    ORDER BY day, _rid LIMIT ${limit}`;
}

/** One page of raw rows (the given columns, as stored: JSON columns stay JSON text). */
export async function exportPage(
  db: Db,
  table: ExportTable,
  columns: string[],
  r: ExportRange,
  c: ExportCursor,
  limit: number,
) {
  return guard(`export_${table}`, () => db.all<RawRow>(exportPageSql(table, columns, r, c, limit)));
}
