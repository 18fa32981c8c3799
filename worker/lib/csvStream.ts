import { stringify } from "csv-stringify/sync";
import { log } from "./log";

export type Cell = string | number | null;
export interface Page<C> {
  rows: Cell[][];
  /** Where the next page starts; null when this was the last page. */
  next: C | null;
}

/** Cells starting with = + - @ (or a tab/CR) get a leading ' so spreadsheets do not run them as formulas. */
function defuse(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * A CSV body streamed page by page: `fetchPage(cursor)` is called only when the client has read
 * the previous page (pull-based), so memory holds one page whatever the range. RFC 4180 quoting
 * by csv-stringify. A failure mid-stream is logged and aborts the body (the client sees a cut
 * transfer, never a partial file that looks complete).
 */
export function csvStream<C>(
  header: string[],
  fetchPage: (cursor: C | null) => Promise<Page<C>>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const toCsv = (rows: Cell[][]) => stringify(rows, { cast: { string: defuse }, record_delimiter: "\r\n" });
  let cursor: C | null = null;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (first) {
          first = false;
          controller.enqueue(encoder.encode(toCsv([header])));
        }
        const page = await fetchPage(cursor);
        if (page.rows.length > 0) controller.enqueue(encoder.encode(toCsv(page.rows)));
        if (page.next === null) controller.close();
        else cursor = page.next;
      } catch (err) {
        log("error", "csv export failed", { detail: err instanceof Error ? err.message : String(err) });
        controller.error(new Error("export failed"));
      }
    },
  });
}

/** The streamed CSV response, as a download (`nosniff`: never rendered as anything but CSV). */
export function csvResponse(body: ReadableStream<Uint8Array>, filename: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
