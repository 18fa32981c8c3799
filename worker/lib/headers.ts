import { HttpError } from "./error";

/** Optional Idempotency-Key: 1..200 visible ASCII characters; otherwise 400 invalid_header. */
export function idempotencyKey(request: Request): string | null {
  const key = request.headers.get("idempotency-key");
  if (key === null) return null;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new HttpError(400, "invalid_header", "Idempotency-Key must be 1-200 visible ASCII characters.", {
      header: "Idempotency-Key",
    });
  }
  return key;
}
