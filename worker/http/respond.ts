import { HttpError } from "../lib/error";
import { log } from "../lib/log";
import type { ErrorBody } from "../../schema";

/**
 * A JSON response (every answer and every error goes through here). `nosniff`: browsers must
 * not guess another type for it (an error body that echoes a path is never run as HTML/script).
 */
export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "x-content-type-options": "nosniff", ...headers },
  });
}

/**
 * The single place where thrown errors become responses: HttpError -> its status and code;
 * anything else is logged with its detail and answered with a generic 500.
 */
export function toErrorResponse(err: unknown, request: Request): Response {
  if (err instanceof HttpError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message, ...err.extra } };
    return json(body, err.status, err.headers);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  log("error", "unhandled", { name: e.name, detail: e.message, stack: e.stack, route: new URL(request.url).pathname });
  const body: ErrorBody = { error: { code: "internal_error", message: "Internal error." } };
  return json(body, 500);
}
