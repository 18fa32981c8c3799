import { HttpError } from "../lib/error";
import { concat } from "../lib/bytes";
import { parseJson } from "../lib/json";
import { gunzip, isGzip } from "../lib/gzip";

/**
 * Reads at most `limit` bytes of the body. Over the limit -> 413, decided from Content-Length
 * when sent and otherwise while streaming (chunked bodies), without buffering past the limit.
 */
export async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new HttpError(413, "payload_too_large", `Request body is larger than ${limit} bytes.`);
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

/** JSON and text bodies are accepted (text/plain avoids a CORS preflight); anything else -> 415. */
export function requireJsonOrText(request: Request): void {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "" || type === "application/json" || type === "text/plain" || type.endsWith("+json")) return;
  throw new HttpError(415, "unsupported_media_type", "Send application/json or text/plain.");
}

/** Content type check, bounded read and JSON parse, in that order. */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  requireJsonOrText(request);
  return parseJson(await readLimited(request, limit));
}

/**
 * Bounded read, then bounded gunzip: `Content-Encoding: gzip` (any case; `x-gzip` too) or a body
 * that starts with gzip's magic bytes is inflated up to `decodedBytes` (a bomb stops there, 413);
 * `identity` or none is taken as it is; any other encoding -> 415.
 */
export async function readDecoded(request: Request, limits: { bodyBytes: number; decodedBytes: number }) {
  const encoding = (request.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding !== "" && encoding !== "identity" && encoding !== "gzip" && encoding !== "x-gzip") {
    throw new HttpError(415, "unsupported_media_type", "Content-Encoding must be gzip or absent.");
  }
  const bytes = await readLimited(request, limits.bodyBytes);
  return encoding.endsWith("gzip") || isGzip(bytes) ? gunzip(bytes, limits.decodedBytes) : bytes;
}
