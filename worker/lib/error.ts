import type { ErrorCode } from "../../schema";

/**
 * The one error type routes and steps throw. `message` is shown to clients, so it must be a
 * fixed, human sentence: never an upstream (D1, parser) message.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { path?: string; header?: string } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}
