import { exportCsv, isoCell } from "./exportCsv";

const HEADER = ["uuid", "instance_id", "product", "version", "received_at", "day", "os_type", "os_release", "os_arch",
  "license_type", "country", "asn", "uptime", "env", "counts", "config"];

/** GET /v1/admin/export/pings.csv?from=&to=[&product=] : raw pings of the range, streamed (all products unless product=). */
export const exportPingsCsv = exportCsv("pings", HEADER, (r) => HEADER.map((c) => (c === "received_at" ? isoCell(r[c]) : r[c] ?? null)));
