import type { IRequest } from "itty-router";
import { statsQuery } from "../../../schema";
import { HttpError } from "../../lib/error";
import { validateQuery } from "../../lib/validate";
import { isoTime } from "../../lib/time";
import { csvResponse, csvStream, type Cell } from "../../lib/csvStream";
import { resolveSlice } from "../../pipeline/stats/steps";
import { config } from "../../config";
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
function exportCsv(table: ExportTable, header: string[], cells: (r: RawRow) => Cell[]) {
  return async (request: IRequest, env: Env): Promise<Response> => {
    const q = validateQuery(statsQuery, request);
    const { from, to } = resolveSlice(q, config(env).defaultProduct, Date.now());
    const range = { product: q.product, from, to };
    const db = database(env);
    const total = await exportCount(db, table, range);
    if (Math.ceil(total / EXPORT_PAGE) > EXPORT_MAX_PAGES) {
      throw new HttpError(
        413,
        "range_too_large",
        `${total} rows in this range; one export holds at most ${EXPORT_PAGE * EXPORT_MAX_PAGES}. Narrow from/to (or add product=) and export in parts.`,
      );
    }
    let sent = 0;
    const body = csvStream<ExportCursor>(header, async (cursor) => {
      const page = await exportPage(db, table, header, range, cursor ?? { day: from, rowid: 0 }, EXPORT_PAGE);
      sent += page.length;
      const last = page[page.length - 1];
      // Stop at the counted total: rows arriving meanwhile never make the export exceed its budget.
      return {
        rows: page.map(cells),
        next: page.length === EXPORT_PAGE && last && sent < total ? { day: last.day, rowid: last._rid } : null,
      };
    });
    return csvResponse(body, `${table}-${from}-${to}.csv`);
  };
}

const EVENT_HEADER = [
  "uuid",
  "product",
  "event",
  "timestamp",
  "received_at",
  "day",
  "distinct_id",
  "session_id",
  "path",
  "referrer_domain",
  "browser",
  "os",
  "lib",
  "lib_version",
  "instance_ref",
  "app_version",
  "license_type",
  "duration_ms",
  "props",
];
const EVENT_TIMES = new Set(["timestamp", "received_at"]);

/** GET /v1/admin/export/events.csv?from=&to=[&product=] : raw frontend events of the range, streamed. */
export const exportEventsCsv = exportCsv("events", EVENT_HEADER, (r) =>
  EVENT_HEADER.map((c) => (EVENT_TIMES.has(c) ? isoTime(r[c]) : (r[c] ?? null))),
);

const PING_HEADER = [
  "uuid",
  "instance_id",
  "product",
  "version",
  "received_at",
  "day",
  "os_type",
  "os_release",
  "os_arch",
  "license_type",
  "country",
  "asn",
  "uptime",
  "env",
  "counts",
  "config",
  "commands",
];

/** GET /v1/admin/export/pings.csv?from=&to=[&product=] : raw pings of the range, streamed (all products unless product=). */
export const exportPingsCsv = exportCsv("pings", PING_HEADER, (r) =>
  PING_HEADER.map((c) => (c === "received_at" ? isoTime(r[c]) : (r[c] ?? null))),
);
