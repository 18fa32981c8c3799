import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import flowfuse from "../fixtures/ping-flowfuse-ce.json";
import { pingResponse } from "../../schema";
import { eventJsonChunks, JSON_BYTES_PER_INSERT, type EventRow } from "../../worker/store/events";
import { storeMessages } from "../../worker/pipeline/queue/store";
import { database } from "../../worker/store/db";
import { callWith, uuid } from "./helpers";

/** Polls `read` until it returns true (the real local queue delivers after its batch timeout). */
async function eventually(read: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await read())) {
    if (Date.now() > end) throw new Error("not stored in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("INGEST_MODE=queue through the real local queue (miniflare) and the worker's queue() consumer", () => {
  it("answers a ping before D1 has it; the consumer stores it; a retried Idempotency-Key is the same uuid", async () => {
    const instanceId = uuid();
    const send = async () => {
      const res = await callWith({ INGEST_MODE: "queue" }, "/v1/ping", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "k-1" },
        body: JSON.stringify({ ...flowfuse, instanceId }),
      });
      expect(res.status).toBe(200);
      return pingResponse.parse(await res.json()).uuid;
    };
    const first = await send();
    expect(await send()).toBe(first);
    await eventually(async () => {
      const row = await env.DB.prepare("SELECT ping_count FROM instances WHERE id = ?")
        .bind(instanceId)
        .first<{ ping_count: number }>();
      return row?.ping_count === 1;
    });
    const pings = await env.DB.prepare("SELECT uuid FROM pings WHERE instance_id = ?").bind(instanceId).all();
    expect(pings.results).toEqual([{ uuid: first }]);
  });

  it("stores captured events through the queue", async () => {
    const id = uuid();
    const res = await callWith({ INGEST_MODE: "queue" }, "/batch/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        api_key: "phc_candor_dev",
        batch: [
          { uuid: id, event: "$pageview", properties: { distinct_id: "d", token: "phc_candor_dev", $pathname: "/q" } },
        ],
      }),
    });
    expect(await res.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    await eventually(
      async () => (await env.DB.prepare("SELECT 1 FROM events WHERE uuid = ?").bind(id).first()) !== null,
    );
  });
});

describe("events inserts are bounded in bytes, not only rows", () => {
  /** A valid row at the capture limits, every string made of escaped control characters. */
  function hostileRow(): EventRow {
    const nasty = (n: number) => "\u0001".repeat(n);
    const props: Record<string, string> = {};
    for (let i = 0; i < 10; i++) props[`k${i}`] = nasty(64);
    return {
      uuid: uuid(),
      product: "flowforge",
      event: nasty(120),
      timestamp: 1,
      receivedAt: Date.UTC(2026, 10, 30),
      day: "2026-11-30",
      distinctId: nasty(200),
      sessionId: nasty(200),
      path: nasty(512),
      referrerDomain: nasty(253),
      browser: "Chrome",
      os: "Linux",
      lib: "web",
      libVersion: "1",
      instanceRef: null,
      appVersion: null,
      licenseType: null,
      durationMs: null,
      props,
    };
  }

  it("splits 500 hostile rows (~4.7 MB as one value) into values under D1's 2,000,000-byte limit, and stores them all", async () => {
    const rows = Array.from({ length: 500 }, hostileRow);
    const chunks = eventJsonChunks(rows);
    const sizes = chunks.map((c) => new TextEncoder().encode(c).byteLength);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(4_000_000); // one value before this change
    for (const s of sizes) expect(s).toBeLessThanOrEqual(JSON_BYTES_PER_INSERT);
    await storeMessages(database(env), env.ARCHIVE, [{ kind: "events", rows }], Date.now());
    const stored = await env.DB.prepare(
      "SELECT count(*) AS n FROM events WHERE uuid IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(rows.map((r) => r.uuid)))
      .first<{ n: number }>();
    expect(stored!.n).toBe(500);
  });
});
