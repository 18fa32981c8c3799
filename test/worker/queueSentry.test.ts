import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { sentryAnswer } from "../../schema";
import { jsonBytes, MESSAGE_BYTES, type IngestMessage } from "../../worker/pipeline/queue/message";
import { sentryStatements, sentryWrites, sightingStatements } from "../../worker/store/sentry";
import { database } from "../../worker/store/db";
import { STATEMENTS_PER_TRANSACTION } from "../../worker/pipeline/queue/store";
import { callWith, count, dumpDatabase, emptyDatabase } from "./helpers";
import { consume, eraseBetween, holdingQueue, type Held } from "./queueHelpers";
import { envelope, fixture, VIGILANT, VIGILANT_INSTANCE, VIGILANT_USER, rows } from "./sentryHelpers";

beforeEach(emptyDatabase);

const queued = (queue: Queue) => ({ INGEST_MODE: "queue", INGEST_QUEUE: queue });
const AUTH = `Sentry sentry_key=${VIGILANT.key}, sentry_version=7, sentry_client=sentry.python/1.9.10`;

/** A Sentry request as its SDK sends it (sentry-python's store, @sentry/node's envelope), in queue mode. */
function sentryPost(queue: Queue, route: "store" | "envelope", body: Uint8Array, encoding?: string) {
  return callWith(queued(queue), `/api/${VIGILANT.project}/${route}/`, {
    method: "POST",
    headers: {
      "x-sentry-auth": AUTH,
      "content-type": route === "store" ? "application/json" : "application/x-sentry-envelope",
      ...(encoding ? { "content-encoding": encoding } : {}),
    },
    body,
  });
}

const bodies = (held: Held[]) => held.map((m) => m.body as IngestMessage);

describe("Sentry through the ingestion queue: answered before D1, stored by the consumer exactly once", () => {
  it("store + envelope: the SDKs' answers, nothing in D1 until the consumer runs, a redelivered batch stores once", async () => {
    const { queue, held } = holdingQueue();
    const exception = await sentryPost(
      queue,
      "store",
      fixture("sentry-python-1.9.10-store-exception-excepthook.json.gz"),
      "gzip",
    );
    expect(exception.status).toBe(200);
    expect(await exception.json()).toEqual({ id: "a1bf39e2eee74d5da9cca141f485b037" });
    const message = await sentryPost(
      queue,
      "store",
      fixture("sentry-python-1.9.10-store-message-start-watch.json.gz"),
      "gzip",
    );
    expect(await message.json()).toEqual({ id: "83dd93974d4347a9810717432d95096d" });
    const sessions = await sentryPost(
      queue,
      "envelope",
      fixture("sentry-python-1.9.10-envelope-sessions.envelope.gz"),
      "gzip",
    );
    expect(sentryAnswer.parse(await sessions.json())).toEqual({ id: null });
    const node = await sentryPost(queue, "envelope", fixture("sentry-node-10.78.0-vigilant-01-session-init.envelope"));
    expect(node.status).toBe(200);
    const report = envelope({}, [
      [{ type: "client_report" }, { discarded_events: [{ reason: "queue_overflow", category: "error", quantity: 3 }] }],
    ]);
    expect((await sentryPost(queue, "envelope", report)).status).toBe(200);

    expect(bodies(held).every((m) => m.kind === "sentry")).toBe(true);
    expect(held).toHaveLength(5); // one message per request
    expect(await count("exceptions")).toBe(0); // answered without a D1 write
    expect(await count("pings")).toBe(0);

    expect(await consume("candor-ingest", held)).toBe(true);
    const [e] = await rows<Record<string, unknown>>("SELECT id, instance_id, product, version FROM exceptions");
    expect(e).toEqual({
      id: "a1bf39e2-eee7-4d5d-a9cc-a141f485b037",
      instance_id: VIGILANT_INSTANCE,
      product: VIGILANT.product,
      version: "5.4.0",
    });
    expect(await rows("SELECT instance_id, key, value FROM facts")).toEqual([
      { instance_id: VIGILANT_INSTANCE, key: "sentry.message", value: "Start watch" },
    ]);
    expect(await rows("SELECT sessions FROM release_sessions ORDER BY sessions")).toEqual([
      { sessions: 1 },
      { sessions: 2 },
    ]);
    expect(await rows("SELECT reason, quantity FROM client_reports")).toEqual([
      { reason: "queue_overflow", quantity: 3 },
    ]);
    // Three sightings (two events, one session): one ping row each, counted once on the instance.
    expect(await rows("SELECT ping_count FROM instances")).toEqual([{ ping_count: 3 }]);
    expect(await count("pings")).toBe(3);

    // The queue redelivers the whole batch (at-least-once), and a client resends a request.
    const before = await dumpDatabase();
    expect(
      await consume(
        "candor-ingest",
        held.map((m) => ({ ...m, attempts: 1 })),
      ),
    ).toBe(true);
    const resent = holdingQueue();
    await sentryPost(resent.queue, "store", fixture("sentry-python-1.9.10-store-exception-excepthook.json"));
    expect(await consume("candor-ingest", resent.held)).toBe(true);
    expect(await dumpDatabase()).toBe(before);
  });

  it("a large envelope is split under the message limits; every slice stores on its own, in any order", async () => {
    const { queue, held } = holdingQueue();
    const user = { id: VIGILANT_USER };
    const frames = Array.from({ length: 50 }, (_, i) => ({
      filename: `app/module_${i}.py`,
      function: `handler_${"x".repeat(200)}_${i}`,
      lineno: i + 1,
      in_app: true,
    }));
    const items: Array<[object, object]> = Array.from({ length: 60 }, (_, i) => [
      { type: "event" },
      {
        event_id: (i + 1).toString(16).padStart(32, "0"),
        release: "5.4.0",
        user,
        exception: { values: [{ type: `Error${i}`, value: "boom", stacktrace: { frames } }] },
      },
    ]);
    const aggregates = Array.from({ length: 1000 }, (_, i) => ({
      started: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      exited: 1 + (i % 5),
    }));
    items.push([{ type: "sessions" }, { attrs: { release: "5.4.0" }, aggregates }]);
    const res = await sentryPost(queue, "envelope", envelope({}, items));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "00000000000000000000000000000001" });

    const messages = bodies(held);
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) {
      expect(jsonBytes(m)).toBeLessThanOrEqual(MESSAGE_BYTES);
      if (m.kind !== "sentry") throw new Error("not a sentry message");
      const budget = sentryStatements(m.rows, sightingStatements(database(env)));
      expect(budget).toBeLessThanOrEqual(STATEMENTS_PER_TRANSACTION);
      // The budget bounds what the consumer really runs for the message.
      expect(sentryWrites(database(env), m.rows).length).toBeLessThanOrEqual(budget);
    }
    // Newest first, one message per consumer batch: each slice must carry the installation itself.
    for (const m of [...held].reverse()) expect(await consume("candor-ingest", [m])).toBe(true);
    expect(await rows("SELECT count(*) AS n, count(instance_id) AS linked FROM exceptions")).toEqual([
      { n: 60, linked: 60 },
    ]);
    expect(await rows("SELECT count(*) AS n, sum(sessions) AS s FROM release_sessions")).toEqual([
      { n: 1000, s: aggregates.reduce((a, b) => a + b.exited, 0) },
    ]);
    expect(await rows("SELECT ping_count FROM instances")).toEqual([{ ping_count: 60 }]);
  });

  it("a keyed installation is not touched through the queue either: exceptions kept without it", async () => {
    const id = "11111111-2222-4333-8444-555555555555";
    await env.DB.prepare(
      "INSERT INTO instances (id, product, first_seen, last_seen, ping_count, key_hash) VALUES (?, ?, 1, 1, 0, ?)",
    )
      .bind(id, VIGILANT.product, "ab".repeat(32))
      .run();
    const { queue, held } = holdingQueue();
    const user = { id: id.replaceAll("-", "") };
    const event = {
      event_id: "cc".repeat(16),
      release: "5.4.0",
      user,
      exception: { values: [{ type: "E", value: "v" }] },
    };
    await sentryPost(queue, "store", new TextEncoder().encode(JSON.stringify(event)));
    expect(await consume("candor-ingest", held)).toBe(true);
    expect(await rows("SELECT instance_id FROM exceptions")).toEqual([{ instance_id: null }]);
    expect(await count("pings")).toBe(0);
    expect(await rows("SELECT ping_count FROM instances")).toEqual([{ ping_count: 0 }]);
  });
});

describe("an erase holds against Sentry messages still queued", () => {
  it("a message received before the erase links nothing to the installation a later sighting recreated", async () => {
    const { queue, held } = holdingQueue();
    await sentryPost(queue, "store", fixture("sentry-python-1.9.10-store-exception-excepthook.json.gz"), "gzip");
    await sentryPost(queue, "store", fixture("sentry-python-1.9.10-store-message-start-watch.json.gz"), "gzip");
    const before = held.splice(0);
    expect(await eraseBetween(VIGILANT_INSTANCE)).toBe(404); // nothing stored yet; the erase is recorded all the same
    const after = await sentryPost(
      queue,
      "envelope",
      fixture("sentry-node-10.78.0-vigilant-06-event-handled-exception.envelope"),
    );
    expect(after.status).toBe(200);
    expect(await consume("candor-ingest", held.splice(0))).toBe(true); // the installation starts again
    expect(await consume("candor-ingest", before)).toBe(true); // the messages queued before the erase
    expect(await rows("SELECT id, instance_id FROM exceptions ORDER BY id")).toEqual([
      { id: "31b74c29-cfa9-4f55-8e53-5758162a5c03", instance_id: VIGILANT_INSTANCE },
      { id: "a1bf39e2-eee7-4d5d-a9cc-a141f485b037", instance_id: null }, // kept, but not linked
    ]);
    expect(await count("facts")).toBe(0); // a fact is only ever an installation's
    expect(await rows("SELECT ping_count FROM instances")).toEqual([{ ping_count: 1 }]);
  });
});
