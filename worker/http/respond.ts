import { HttpError } from "./error";
import type { ErrorBody } from "../../schema";

/** A JSON response. */
export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** One structured log line (JSON) on the worker's console. Never pass IPs or User-Agents. */
export function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
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
