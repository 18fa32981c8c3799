/**
 * Bounded gzip: inflates a gzip body without ever holding more than `limit` decoded bytes, so a
 * gzip bomb (a few KiB that inflate to gigabytes) is refused while inflating. Used by every route
 * that accepts gzip (capture, Sentry). Malformed gzip -> 400 invalid_encoding; over the limit ->
 * 413 payload_too_large.
 */
import { HttpError } from "./error";
import { concat } from "./bytes";

/** Compressed bytes fed per step; deflate inflates at most ~1032:1, so <= ~4 MiB per step. */
const SLICE = 4096;

/** gzip magic: 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const IDLE = Symbol("idle");
/** Resolves after one macrotask: by then every chunk already inflated is readable. */
const idle = () => new Promise<typeof IDLE>((resolve) => setTimeout(resolve, 0, IDLE));

/** Deflate's largest ratio (258-byte matches at ~2 bits each): no gzip input inflates further. */
const MAX_RATIO = 1032;

/**
 * Inflates gzip with DecompressionStream. Input of at most `limit / MAX_RATIO` bytes (a capture
 * batch, nearly always) cannot inflate past `limit`: it is piped through whole (the size is still
 * checked). Larger input is fed as below. The stream inflates every written chunk eagerly (no
 * backpressure from its readable side), so input is fed one small slice at a time and only when
 * all output so far has been read and counted: a gzip bomb stops once the output passes `limit`
 * (at most one slice, ~1032 x SLICE bytes, later), is cancelled, and answers 413.
 */
export async function gunzip(data: Uint8Array, limit: number): Promise<Uint8Array> {
  if (data.byteLength * MAX_RATIO <= limit) {
    let out: Uint8Array;
    try {
      const inflated = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
      out = new Uint8Array(await new Response(inflated).arrayBuffer());
    } catch {
      throw new HttpError(400, "invalid_encoding", "Body is not valid gzip.");
    }
    if (out.byteLength > limit) throw tooLarge(limit);
    return out;
  }
  const stream = new DecompressionStream("gzip");
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let offset = 0;
  let closed = false;
  const nextRead = () => {
    const p = reader.read();
    p.catch(() => undefined); // an error is handled where the promise is awaited
    return p;
  };
  let read = nextRead();
  try {
    for (;;) {
      const next = closed ? await read : await Promise.race([read, idle()]);
      if (next === IDLE) {
        if (offset < data.byteLength) await writer.write(data.subarray(offset, (offset += SLICE)));
        else {
          closed = true;
          await writer.close();
        }
        continue;
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        await writer.abort().catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(next.value);
      read = nextRead();
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, "invalid_encoding", "Body is not valid gzip.");
  }
  return concat(chunks, total);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, "payload_too_large", `Decoded body is larger than ${limit} bytes.`);
}
