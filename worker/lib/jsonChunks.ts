/**
 * Rows per statement that binds its rows as ONE JSON array parameter (read with json_each), so
 * D1's 100-parameter limit does not split a write into hundreds of statements.
 */
export const ROWS_PER_INSERT = 500;

/**
 * UTF-8 bytes of that one JSON parameter. D1 refuses a string or blob value over 2,000,000 bytes
 * (developers.cloudflare.com/d1/platform/limits, "maximum string, BLOB or table row size"), and
 * hostile-but-valid rows (escaped control characters, long allowed strings) make 500 event rows
 * about 4.7 MB: statements are cut by bytes as well as by rows, with half the limit as margin.
 */
export const JSON_BYTES_PER_INSERT = 1_000_000;

const encoder = new TextEncoder(); // stateless: one per isolate

/**
 * Rows, each already serialised as a JSON value -> JSON array texts of at most ROWS_PER_INSERT
 * rows and JSON_BYTES_PER_INSERT bytes each, in order (pure). A single row is bounded far below
 * the limit by the wire limits of what it came from.
 */
export function jsonChunks(rows: string[]): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let bytes = 2; // []
  for (const one of rows) {
    const size = encoder.encode(one).byteLength + 1;
    if (parts.length > 0 && (parts.length === ROWS_PER_INSERT || bytes + size > JSON_BYTES_PER_INSERT)) {
      out.push(`[${parts.join(",")}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(one);
    bytes += size;
  }
  if (parts.length > 0) out.push(`[${parts.join(",")}]`);
  return out;
}
