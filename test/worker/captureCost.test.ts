import { describe, expect, it } from "vitest";
import { gunzip } from "../../worker/lib/gzip";
import { toHex } from "../../worker/lib/hex";
import { memo } from "../../worker/lib/memo";
import { MESSAGE_BYTES, jsonBytes } from "../../worker/pipeline/queue/message";
import { splitRows } from "../../worker/pipeline/queue/split";
import type { EventRow } from "../../worker/store/events";

// The capture path's cost cuts (ISSUE 12) keep every answer: pure checks of the helpers they use.
describe("capture cost helpers (pure)", () => {
  it("toHex gives every byte value as two lower-case digits, from bytes or a buffer", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const expected = [...all].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(toHex(all)).toBe(expected);
    expect(toHex(all.buffer)).toBe(expected);
    expect(toHex(new Uint8Array(0))).toBe("");
  });

  it("memo calls the function once per distinct argument and answers as it did", () => {
    const calls: string[] = [];
    const length = memo((s) => (calls.push(s), s.length > 2 ? s.length : undefined));
    expect(["abc", "x", "abc", "x", "abcd"].map(length)).toEqual([3, undefined, 3, undefined, 4]);
    expect(calls).toEqual(["abc", "x", "abcd"]); // an undefined answer is remembered too
  });

  const row = (i: number, text: string): EventRow => ({
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    product: "flowforge",
    event: "$pageview",
    receivedAt: 1,
    day: "2026-11-30",
    path: text,
  });
  const wrap = (rows: EventRow[]) => ({ kind: "events" as const, rows });

  it("splitRows: rows that fit are one message measured exactly; more are split in order, each within MESSAGE_BYTES", () => {
    const few = Array.from({ length: 50 }, (_, i) => row(i, "/a"));
    const [one, ...none] = splitRows(few, wrap);
    expect(none).toEqual([]);
    expect(one!.body).toEqual(wrap(few));
    expect(one!.bytes).toBe(jsonBytes(wrap(few)));

    const many = Array.from({ length: 300 }, (_, i) => row(i, "\u0001é".repeat(400))); // escaped and multi-byte
    const parts = splitRows(many, wrap);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.bytes).toBeGreaterThanOrEqual(jsonBytes(p.body));
      expect(p.bytes).toBeLessThanOrEqual(MESSAGE_BYTES);
    }
    expect(parts.flatMap((p) => (p.body.kind === "events" ? p.body.rows : []))).toEqual(many);
    expect(splitRows([], wrap)).toEqual([]);
    expect(() => splitRows([row(0, "x".repeat(MESSAGE_BYTES))], wrap)).toThrow(/too large/);
  });

  const gzip = async (bytes: Uint8Array) =>
    new Uint8Array(
      await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
    );

  it("gunzip: the most compressible input over the limit is too large to take the whole-body path", async () => {
    const limit = 1024 * 1024;
    const zeros = await gzip(new Uint8Array(limit + 1));
    expect(zeros.byteLength * 1032).toBeGreaterThan(limit); // so it is fed slice by slice, and refused
    await expect(gunzip(zeros, limit)).rejects.toMatchObject({ status: 413 });
    const text = new TextEncoder().encode("posthog ".repeat(1000));
    const small = await gzip(text);
    expect(small.byteLength * 1032).toBeLessThanOrEqual(limit); // the whole-body path
    expect(await gunzip(small, limit)).toEqual(text);
    await expect(gunzip(small, text.byteLength - 1)).rejects.toMatchObject({ status: 413 });
  });
});
