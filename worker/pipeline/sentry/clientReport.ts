/**
 * `client_report` items: what an SDK dropped (rate limits, queue overflow, send errors), by
 * category and reason, so a maintainer sees what Candor's own limits cost. Pure.
 */
import type { SentryClientReport } from "../../../schema";
import { utcDay } from "../../lib/time";
import type { ClientReportRow } from "../../store/sentry";
import { digest, label } from "./values";

/** A row per discarded-events entry with a quantity; ids hash the report and the entry's position (replays dedupe). */
export async function clientReportRows(
  r: SentryClientReport,
  product: string,
  now: number,
): Promise<ClientReportRow[]> {
  const report = JSON.stringify(r);
  const rows: ClientReportRow[] = [];
  for (const [i, d] of (r.discarded_events ?? []).entries()) {
    if (d.quantity === 0) continue;
    rows.push({
      id: await digest(product, "client_report", report, i),
      product,
      category: label(d.category, "category"),
      reason: label(d.reason, "reason"),
      quantity: d.quantity,
      receivedAt: now,
      day: utcDay(now),
    });
  }
  return rows;
}
