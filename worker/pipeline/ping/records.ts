/**
 * Ping step 8: the fact and exception records a ping carries, as rows linked to its instance.
 * Every fact and exception row is made here, after scrubFact / scrubException (worker/pipeline/privacy).
 * Exceptions are grouped by a fingerprint: SHA-256 of the type and the top stack frames with
 * line/column numbers and directories removed, so one crash reported daily is one group.
 */
import type { PingFact } from "../../../schema";
import type { KnownSecrets } from "../../../schema/privacy/scrub";
import { scrubException, type ExceptionSource } from "../privacy/scrubException";
import { scrubFact } from "../privacy/scrubFact";
import { utcDay } from "../../lib/time";
import type { ExceptionRow, FactRow } from "../../store/records";
import { toHex } from "../../lib/hex";

/** How many stack frames name a group. */
export const FINGERPRINT_FRAMES = 5;

/** The top frames of a V8 (`at fn (file:1:2)`) or Firefox/Safari (`fn@file:1:2`) stack, normalised. */
export function topFrames(stack: string | undefined, max = FINGERPRINT_FRAMES): string[] {
  if (!stack) return [];
  const frames: string[] = [];
  for (const raw of stack.split("\n")) {
    const line = raw.trim();
    const v8 = /^at\s+(.*)$/.exec(line);
    const gecko = v8 ? null : /^([^@\s]*)@(.+)$/.exec(line);
    if (!v8 && !gecko) continue;
    const text = v8 ? v8[1]! : `${gecko![1]} (${gecko![2]})`;
    frames.push(
      text
        .replace(/:\d+(:\d+)?(?=\)?$)/, "") // line and column
        .replace(/(?:[A-Za-z]+:\/\/)?(?:[^\s()]*[\\/])?([^\\/\s()]+)(?=\)?$)/, "$1") // directories
        .trim(),
    );
    if (frames.length >= max) break;
  }
  return frames;
}

/** The text a fingerprint hashes: type, then the normalised top frames, one per line. */
export function fingerprintSource(type: string, stack: string | undefined): string {
  return [type, ...topFrames(stack)].join("\n");
}

/** SHA-256 hex of fingerprint lines (the type, then normalised top frames), one per line. */
export async function hashFingerprint(lines: string[]): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines.join("\n"))));
}

/** SHA-256 hex of fingerprintSource. */
export async function fingerprint(type: string, stack: string | undefined): Promise<string> {
  return hashFingerprint([type, ...topFrames(stack)]);
}

export interface RecordContext {
  instanceId: string;
  version: string | null;
  now: number;
}

/** Fact rows, each through scrubFact first (a fact with a private key is left out). */
export function factRows(facts: readonly PingFact[] | undefined, ctx: RecordContext): FactRow[] {
  return (facts ?? [])
    .flatMap((raw) => {
      const f = scrubFact(raw);
      return f ? [f] : [];
    })
    .map((f) => ({
      id: f.id,
      instanceId: ctx.instanceId,
      kind: f.kind,
      key: f.key,
      value: f.value,
      collectedAt: f.collectedAt,
      receivedAt: ctx.now,
      day: utcDay(ctx.now),
    }));
}

/** Exception rows, each scrubbed first (`known`: what the source knows identifies its machine). */
export async function exceptionRows(
  list: readonly ExceptionSource[] | undefined,
  ctx: RecordContext,
  known?: KnownSecrets,
): Promise<ExceptionRow[]> {
  return Promise.all(
    (list ?? []).map(async (source) => {
      const e = scrubException(source, known);
      return {
        id: e.id,
        instanceId: ctx.instanceId,
        fingerprint: await fingerprint(e.type, e.stack),
        type: e.type,
        message: e.message,
        stack: e.stack ?? null,
        version: ctx.version,
        collectedAt: e.collectedAt,
        receivedAt: ctx.now,
        day: utcDay(ctx.now),
      };
    }),
  );
}
