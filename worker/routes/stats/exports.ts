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
import {
  ARCHIVE_COLUMNS,
  archivedEvents,
  archivedProducts,
  listArchive,
  type ArchivedEvent,
} from "../../store/eventArchive";
import { keysToSkip } from "../../store/eventCompaction";
import { erasedNow, isErased } from "../../store/eventErasure";

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

/**
 * R2 calls one events export may make: a Worker invocation makes at most 1,000 subrequests to
 * Cloudflare services (R2 lists and gets count; developers.cloudflare.com/workers/platform/limits),
 * and 100 are left as margin. The export lists the range's objects first (one list call per 1,000
 * keys per product, plus one per 1,000 products without product=) and reads each object once, so
 * lists + objects <= EXPORT_MAX_R2_CALLS or the answer is 413 range_too_large before any byte.
 */
export const EXPORT_MAX_R2_CALLS = 900;
/** Rows per streamed page of the events export (memory holds one page). */
const EVENTS_PAGE = 2000;

const EVENT_TIMES = new Set(["timestamp", "received_at"]);
const eventCells = (r: ArchivedEvent): Cell[] =>
  ARCHIVE_COLUMNS.map((c) => {
    const v = r[c];
    if (EVENT_TIMES.has(c)) return isoTime(v);
    // props as D1 stored it (JSON text), so the CSV is byte-for-byte what the D1 export gave.
    if (c === "props") return v === null || v === undefined ? null : JSON.stringify(v);
    return typeof v === "string" || typeof v === "number" ? v : null;
  });

/**
 * GET /v1/admin/export/events.csv?from=&to=[&product=] : the frontend events of the range,
 * streamed from the R2 archive (every event ever stored, whatever EVENTS_D1_DAYS kept in D1):
 * days in order, a day's objects by key, an object's rows by (received_at, uuid).
 */
export async function exportEventsCsv(request: IRequest, env: Env): Promise<Response> {
  const q = validateQuery(statsQuery, request);
  const { from, to } = resolveSlice(q, config(env).defaultProduct, Date.now());
  const bucket = env.ARCHIVE;
  const tooLarge = (what: string) =>
    new HttpError(
      413,
      "range_too_large",
      `${what} in this range; one export reads at most ${EXPORT_MAX_R2_CALLS} archive objects and listings. Narrow from/to (or add product=) and export in parts.`,
    );
  let calls = 0;
  let products = q.product === undefined ? [] : [q.product];
  if (q.product === undefined) {
    const all = await archivedProducts(bucket);
    calls += all.calls;
    products = all.products;
  }
  const listed = await listArchive(bucket, products, from, to, EXPORT_MAX_R2_CALLS - calls);
  calls += listed.calls;
  if (!listed.complete || calls + listed.manifests.length + listed.items.length > EXPORT_MAX_R2_CALLS) {
    throw tooLarge(listed.complete ? `${listed.items.length} archive objects` : "More than that many archive objects");
  }
  // A compaction in progress: read its compacted object or its sources, never both.
  const { skip } = await keysToSkip(bucket, new Set(listed.items.map((i) => i.key)), listed.manifests);
  const items = listed.items.filter((i) => !skip.has(i.key));
  // Installations erased since their events were archived: left out until the cron removed them.
  const erased = await erasedNow(database(env));
  const pages = archivedEvents(bucket, items, EVENTS_PAGE);
  const body = csvStream<true>([...ARCHIVE_COLUMNS], async () => {
    const next = await pages.next();
    if (next.done) return { rows: [], next: null };
    return { rows: next.value.filter((e) => !isErased(erased, e)).map(eventCells), next: true };
  });
  return csvResponse(body, `events-${from}-${to}.csv`);
}

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
