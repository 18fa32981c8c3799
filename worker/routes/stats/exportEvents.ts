import { exportCsv, isoCell } from "./exportCsv";

const HEADER = ["uuid", "product", "event", "timestamp", "received_at", "day", "distinct_id", "session_id", "path",
  "referrer_domain", "browser", "os", "lib", "lib_version", "instance_id", "app_version", "license_type", "duration_ms", "props"];
const TIMES = new Set(["timestamp", "received_at"]);

/** GET /v1/admin/export/events.csv?from=&to=[&product=] : raw frontend events of the range, streamed. */
export const exportEventsCsv = exportCsv("events", HEADER, (r) => HEADER.map((c) => (TIMES.has(c) ? isoCell(r[c]) : r[c] ?? null)));
