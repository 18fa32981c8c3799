/**
 * THE exception scrubbing step. Every exception the worker stores passes through here before it
 * becomes a row, whatever route brought it: the instance client's /v1/ping `exceptions` (through
 * exceptionRows, worker/pipeline/ping/records.ts) and Sentry events (the Sentry route maps an
 * event's last `exception.values[]` entry onto an ExceptionSource and calls the same function,
 * or exceptionRows).
 *
 * In: an ExceptionSource. Only its fields below are read: whatever else the caller's object
 * carries (Sentry's `user`, `request`, `breadcrumbs`, `server_name`, `extra`, `modules`,
 * `contexts`, a frame's `vars` and `pre_context`/`context_line`/`post_context`) is never read,
 * so it can never be stored.
 * Out: a ScrubbedException with exactly {id, type, message, stack?, collectedAt}:
 *   type, message: free text under schema/privacy/scrub.ts (e-mails, IPs, URLs with
 *     credentials or queries, paths, home directories, user and host names, secrets, UUIDs ->
 *     placeholders), then clipped to pingLimits;
 *   stack: `frames` (Sentry's, outermost first) -> V8-style lines innermost first, each with
 *     the file's basename, function, line and column only; else the text `stack`, scrubbed
 *     whole; clipped to pingLimits.exceptionStack (the fingerprint reads its top frames);
 *   collectedAt: clamped into clientTimeRange.
 * `known` names what the caller knows identifies the machine or person (a Sentry event's
 * `server_name` and `user.username`/`email`/`name`): replaced wherever they appear.
 */
import { clientTimeRange, pingLimits, type PingException } from "../../../schema";
import { renderFrames, scrubFrame, type FrameInput } from "../../../schema/privacy/frames";
import { scrubText, type KnownSecrets } from "../../../schema/privacy/scrub";

export interface ExceptionSource {
  id: string;
  type: string;
  message?: string | null;
  /** A stack trace as text (the instance client's `error.stack`). */
  stack?: string | null;
  /** Structured frames as Sentry sends them: outermost first, innermost last. Wins over `stack`. */
  frames?: readonly FrameInput[];
  /** Client time, ms since epoch. */
  collectedAt: number;
}

export type ScrubbedException = PingException;

/** Frames rendered into a stack (the innermost ones: the fingerprint reads the top 5). */
export const STACK_FRAMES = 50;

export function scrubException(source: ExceptionSource, known?: KnownSecrets): ScrubbedException {
  const options = { known };
  const type = scrubText(source.type, options).slice(0, pingLimits.exceptionType) || "Error";
  const message = scrubText(source.message ?? "", options).slice(0, pingLimits.exceptionMessage);
  const stack = source.frames?.length
    ? renderFrames(
        source.frames
          .slice(-STACK_FRAMES)
          .reverse()
          .map((f) => scrubFrame(f, options)),
      )
    : source.stack
      ? scrubText(source.stack, options)
      : undefined;
  const collectedAt = Number.isFinite(source.collectedAt) ? source.collectedAt : clientTimeRange.min;
  return {
    id: source.id,
    type,
    message,
    ...(stack ? { stack: stack.slice(0, pingLimits.exceptionStack) } : {}),
    collectedAt: Math.min(Math.max(collectedAt, clientTimeRange.min), clientTimeRange.max),
  };
}
