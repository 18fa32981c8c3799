import type { IRequest } from "itty-router";
import { statsQuery } from "../../../schema";
import { requireAdmin } from "../../http/auth";
import { validateQuery } from "../../http/validate";
import { csvResponse, csvStream } from "../../lib/csvStream";
import { resolveSlice } from "../../pipeline/stats/steps";
import { database } from "../../store/db";
import { eventsPage, type ExportCursor } from "../../store/exports";

const PAGE = 500;
/** ISO time, or empty for a missing or out-of-range value (Date throws past ±8.64e15 ms). */
const iso = (ms: number | null) => (ms === null || !(Math.abs(ms) <= 8.64e15) ? null : new Date(ms).toISOString());
const HEADER = ["uuid", "product", "event", "timestamp", "received_at", "day", "distinct_id", "session_id", "path",
  "referrer_domain", "browser", "os", "lib", "lib_version", "instance_id", "app_version", "license_type", "duration_ms", "props"];

/** GET /v1/admin/export/events.csv?from=&to=[&product=] : raw frontend events of the range, streamed. */
export async function exportEventsCsv(request: IRequest, env: Env): Promise<Response> {
  await requireAdmin(request, env);
  const q = validateQuery(statsQuery, request);
  const { from, to } = resolveSlice(q, env.DEFAULT_PRODUCT, Date.now());
  const db = database(env);
  const body = csvStream<ExportCursor>(HEADER, async (cursor) => {
    const page = await eventsPage(db, { product: q.product, from, to }, cursor, PAGE);
    const last = page[page.length - 1];
    return {
      rows: page.map(({ row: e }) => [e.uuid, e.product, e.event, iso(e.timestamp), iso(e.receivedAt), e.day, e.distinctId,
        e.sessionId, e.path, e.referrerDomain, e.browser, e.os, e.lib, e.libVersion, e.instanceId, e.appVersion, e.licenseType,
        e.durationMs, e.props === null ? null : JSON.stringify(e.props)]),
      next: page.length === PAGE && last ? { day: last.row.day, rowid: last.rowid } : null,
    };
  });
  return csvResponse(body, `events-${from}-${to}.csv`);
}
