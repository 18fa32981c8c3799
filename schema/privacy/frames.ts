/**
 * Stack frames and stack text under the privacy contract (scrub.ts): a frame keeps its file's
 * basename, function, module and line/column; never its directories, local variables (`vars`)
 * or source lines (`pre_context`, `context_line`, `post_context`). A stack that arrives as text
 * (V8, Firefox/Safari, a Python traceback) is free text: `scrubText` it whole, so that a user
 * name learned from one line's home directory is replaced on every line.
 */
import { scrubText, type ScrubOptions } from "./scrub.ts";

/** A frame as Sentry's SDKs send it (Node and Python); every other field is ignored. */
export interface FrameInput {
  filename?: unknown;
  abs_path?: unknown;
  module?: unknown;
  function?: unknown;
  lineno?: unknown;
  colno?: unknown;
}

/** A scrubbed frame: only these fields exist. */
export interface ScrubbedFrame {
  file: string | null;
  function: string | null;
  module: string | null;
  line: number | null;
  column: number | null;
}

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v.slice(0, 512) : null);
const int = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null);

/** The basename of a file name or path (`/home/alice/app/x.js`, `C:\a\x.py`, `file:///a/x.mjs`). */
export function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? "";
}

/** One frame: file -> its basename; function and module scrubbed as free text; line, column kept. */
export function scrubFrame(frame: FrameInput, options?: ScrubOptions): ScrubbedFrame {
  const file = text(frame.filename) ?? text(frame.abs_path);
  const fn = text(frame.function);
  const mod = text(frame.module);
  return {
    file: file === null ? null : scrubText(basename(file), options),
    function: fn === null ? null : scrubText(fn, options),
    module: mod === null ? null : scrubText(mod, options),
    line: int(frame.lineno),
    column: int(frame.colno),
  };
}

/**
 * Frames as V8 stack lines, innermost first (`at fn (file.js:10:5)`), the form the worker's
 * exception fingerprint reads. `frames` are given innermost first (reverse Sentry's order).
 */
export function renderFrames(frames: readonly ScrubbedFrame[]): string {
  return frames
    .map((f) => {
      const where = [f.file ?? f.module ?? "<unknown>", f.line, f.line === null ? null : f.column]
        .filter((p) => p !== null)
        .join(":");
      return `    at ${f.function ?? "<anonymous>"} (${where})`;
    })
    .join("\n");
}
