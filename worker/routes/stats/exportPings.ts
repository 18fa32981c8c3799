import type { IRequest } from "itty-router";
import { statsQuery } from "../../../schema";
import { requireAdmin } from "../../http/auth";
import { validateQuery } from "../../http/validate";
import { csvResponse, csvStream, type Cell } from "../../lib/csvStream";
import { resolveSlice } from "../../pipeline/stats/steps";
import { database } from "../../store/db";
import { pingsPage, type ExportCursor } from "../../store/exports";

const PAGE = 500;
/** ISO time, or empty for a missing or out-of-range value (Date throws past ±8.64e15 ms). */
const iso = (ms: number | null) => (ms === null || !(Math.abs(ms) <= 8.64e15) ? null : new Date(ms).toISOString());
const jsonCell = (v: unknown): Cell => (v === null || v === undefined ? null : JSON.stringify(v));
const HEADER = ["uuid", "instance_id", "product", "version", "received_at", "day", "os_type", "os_release", "os_arch",
  "license_type", "country", "asn", "uptime", "env", "counts", "config"];

/** GET /v1/admin/export/pings.csv?from=&to=[&product=] : raw pings of the range, streamed (all products unless product=). */
export async function exportPingsCsv(request: IRequest, env: Env): Promise<Response> {
  await requireAdmin(request, env);
  const q = validateQuery(statsQuery, request);
  const { from, to } = resolveSlice(q, env.DEFAULT_PRODUCT, Date.now());
  const db = database(env);
  const body = csvStream<ExportCursor>(HEADER, async (cursor) => {
    const page = await pingsPage(db, { product: q.product, from, to }, cursor, PAGE);
    const last = page[page.length - 1];
    return {
      rows: page.map(({ row: p }) => [p.uuid, p.instanceId, p.product, p.version, iso(p.receivedAt), p.day, p.osType, p.osRelease,
        p.osArch, p.licenseType, p.country, p.asn, p.uptime, jsonCell(p.env), jsonCell(p.counts), jsonCell(p.config)]),
      next: page.length === PAGE && last ? { day: last.row.day, rowid: last.rowid } : null,
    };
  });
  return csvResponse(body, `pings-${from}-${to}.csv`);
}
