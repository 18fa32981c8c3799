import type { IRequest } from "itty-router";
import { statsQuery } from "../../../schema";
import { requireAdmin } from "../../http/auth";
import { HttpError } from "../../http/error";
import { validateQuery } from "../../http/validate";
import { csvResponse, csvStream, type Cell } from "../../lib/csvStream";
import { resolveSlice } from "../../pipeline/stats/steps";
import { database } from "../../store/db";
import { exportCount, exportPage, type ExportCursor, type ExportTable, type RawRow } from "../../store/exports";

/**
 * Query budget of one export: D1 allows 1,000 queries per invocation (50 on the free plan).
 * One count + at most EXPORT_MAX_PAGES pages of EXPORT_PAGE rows = 80,000 rows per request;
 * a larger range is refused up front (413 range_too_large), before any byte is streamed.
 */
export const EXPORT_PAGE = 2000;
export const EXPORT_MAX_PAGES = 40;

/** GET /v1/admin/export/<table>.csv?from=&to=[&product=]: the raw rows of the range, streamed. */
export function exportCsv(table: ExportTable, header: string[], cells: (r: RawRow) => Cell[]) {
  return async (request: IRequest, env: Env): Promise<Response> => {
    await requireAdmin(request, env);
    const q = validateQuery(statsQuery, request);
    const { from, to } = resolveSlice(q, env.DEFAULT_PRODUCT, Date.now());
    const range = { product: q.product, from, to };
    const db = database(env);
    const total = await exportCount(db, table, range);
    if (Math.ceil(total / EXPORT_PAGE) > EXPORT_MAX_PAGES) {
      throw new HttpError(413, "range_too_large",
        `${total} rows in this range; one export holds at most ${EXPORT_PAGE * EXPORT_MAX_PAGES}. Narrow from/to (or add product=) and export in parts.`);
    }
    let sent = 0;
    const body = csvStream<ExportCursor>(header, async (cursor) => {
      const page = await exportPage(db, table, header, range, cursor ?? { day: from, rowid: 0 }, EXPORT_PAGE);
      sent += page.length;
      const last = page[page.length - 1];
      // Stop at the counted total: rows arriving meanwhile never make the export exceed its budget.
      return { rows: page.map(cells), next: page.length === EXPORT_PAGE && last && sent < total ? { day: last.day, rowid: last._rid } : null };
    });
    return csvResponse(body, `${table}-${from}-${to}.csv`);
  };
}

/** ISO time, or empty for a missing or out-of-range value (Date throws past ±8.64e15 ms). */
export function isoCell(v: string | number | null | undefined): Cell {
  return typeof v === "number" && Math.abs(v) <= 8.64e15 ? new Date(v).toISOString() : null;
}
