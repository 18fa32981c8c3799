import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import flowfuse from "../fixtures/ping-flowfuse-ce.json";
import { pingResponse } from "../../schema";
import { eventJsonChunks, type EventRow } from "../../worker/store/events";
import { JSON_BYTES_PER_INSERT } from "../../worker/lib/jsonChunks";
import { storeMessages } from "../../worker/pipeline/queue/store";
import { database } from "../../worker/store/db";
import ferretdbV2 from "../fixtures/protocols/ferretdb-v2.7.0-docker-1day.json?raw";
import fireflyBatch from "../fixtures/protocols/firefly-5.4.6-docker-batch.json?raw";
import { callWith, uuid } from "./helpers";
import { envelope, VIGILANT } from "./sentryHelpers";

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

describe("the protocol routes through the real local queue (the default INGEST_MODE)", () => {
  const stored =
    (sql: string, ...binds: unknown[]) =>
    async () =>
      (await env.DB.prepare(sql)
        .bind(...binds)
        .first()) !== null;

  it("FerretDB's beacon: 201 before D1 has it, then its ping", async () => {
    const id = uuid();
    const res = await callWith({ INGEST_MODE: "queue" }, "/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...JSON.parse(ferretdbV2), uuid: id }),
    });
    expect(res.status).toBe(201);
    await eventually(stored("SELECT 1 FROM pings WHERE instance_id = ? AND product = 'ferretdb'", id));
  });

  it("Firefly III's submission: 200 {uuid}, then its installation's ping and facts", async () => {
    const id = uuid();
    const rows = (JSON.parse(fireflyBatch) as object[]).map((r) => ({ ...r, installation_id: id }));
    const res = await callWith({ INGEST_MODE: "queue" }, "/submit", {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "FireflyIII/5.4.6" },
      body: JSON.stringify(rows),
    });
    expect(res.status).toBe(200);
    await eventually(stored("SELECT 1 FROM facts WHERE instance_id = ?", id));
    await eventually(stored("SELECT 1 FROM pings WHERE instance_id = ?", id));
  });

  it("Sentry /store/ and /envelope/: the SDKs' answers, then the exception and the session", async () => {
    const headers = {
      "x-sentry-auth": `Sentry sentry_key=${VIGILANT.key}, sentry_version=7`,
      "content-type": "application/json",
    };
    const eventId = uuid().replaceAll("-", "");
    const event = { event_id: eventId, release: "5.4.0", exception: { values: [{ type: "E", value: "v" }] } };
    const store = await callWith({ INGEST_MODE: "queue" }, `/api/${VIGILANT.project}/store/`, {
      method: "POST",
      headers,
      body: JSON.stringify(event),
    });
    expect(await store.json()).toEqual({ id: eventId });
    const sid = uuid().replaceAll("-", "");
    const body = envelope({}, [[{ type: "session" }, { sid, status: "ok", attrs: { release: "9.9.9-queue" } }]]);
    const env2 = await callWith({ INGEST_MODE: "queue" }, `/api/${VIGILANT.project}/envelope/`, {
      method: "POST",
      headers,
      body,
    });
    expect(await env2.json()).toEqual({ id: null });
    const dashed = eventId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
    await eventually(stored("SELECT 1 FROM exceptions WHERE id = ?", dashed));
    await eventually(stored("SELECT 1 FROM release_sessions WHERE version = '9.9.9-queue'"));
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
