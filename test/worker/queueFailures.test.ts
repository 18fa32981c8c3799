import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import flowfuse from "../fixtures/ping-flowfuse-ce.json";
import { deadLettersAnswer, pingResponse, replayAnswer } from "../../schema";
import { ADMIN, callWith, dumpDatabase, uuid } from "./helpers";
import { envelope, VIGILANT } from "./sentryHelpers";
import { consume, deliver, flakyDb, holdingQueue } from "./queueHelpers";

const queued = (queue: Queue) => ({ INGEST_MODE: "queue", INGEST_QUEUE: queue });

async function ping(queue: Queue, instanceId: string, key?: string): Promise<string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers["idempotency-key"] = key;
  const res = await callWith(queued(queue), "/v1/ping", {
    method: "POST",
    headers,
    body: JSON.stringify({ ...flowfuse, instanceId }),
  });
  expect(res.status).toBe(200);
  return pingResponse.parse(await res.json()).uuid;
}

async function capture(queue: Queue, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => uuid());
  // Versions and sessions vary, so the events fall in several breakdown slices (rollup_*_slices).
  const batch = ids.map((id, i) => ({
    uuid: id,
    event: "$pageview",
    properties: {
      distinct_id: "d1",
      token: "phc_candor_dev",
      $pathname: "/p/\u0001".repeat(40),
      $session_id: `s${i % 7}`,
      ...(i % 3 === 2 ? {} : { candor_app_version: `1.${i % 3}.0`, candor_license_type: "CE" }),
    },
  }));
  const res = await callWith(queued(queue), "/batch/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ api_key: "phc_candor_dev", batch }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: n });
  return ids;
}

/**
 * One installation's Sentry traffic in queue mode: a sentry-python exception and an allow-listed
 * message (/store/), and an envelope with an @sentry/node session, an aggregate and a client
 * report. Returns the stored ids to look for.
 */
async function sentry(queue: Queue, instanceId: string, i: number) {
  const user = { id: instanceId.replaceAll("-", "") };
  const hex = () => uuid().replaceAll("-", "");
  const [exceptionId, messageId, sid] = [hex(), hex(), hex()];
  const headers = {
    "x-sentry-auth": `Sentry sentry_key=${VIGILANT.key}, sentry_version=7`,
    "content-type": "application/json",
  };
  const store = (event: object) =>
    callWith(queued(queue), `/api/${VIGILANT.project}/store/`, {
      method: "POST",
      headers,
      body: JSON.stringify(event),
    });
  const thrown = { event_id: exceptionId, release: "5.4.0", user, exception: { values: [{ type: "E", value: "v" }] } };
  expect((await store(thrown)).status).toBe(200);
  expect((await store({ event_id: messageId, release: "5.4.0", user, message: "Start watch" })).status).toBe(200);
  const body = envelope({}, [
    [{ type: "session" }, { sid, did: user.id, status: "crashed", errors: 1, attrs: { release: "5.4.0" } }],
    [
      { type: "sessions" },
      {
        attrs: { release: "5.4.0" },
        aggregates: [{ started: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), exited: 2 }],
      },
    ],
    [
      { type: "client_report" },
      { discarded_events: [{ reason: "ratelimit_backoff", category: "error", quantity: i + 1 }] },
    ],
  ]);
  const res = await callWith(queued(queue), `/api/${VIGILANT.project}/envelope/`, { method: "POST", headers, body });
  expect(res.status).toBe(200);
  return { exceptionId, messageId };
}

async function countWhere(sql: string, ...binds: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>();
  return row!.n;
}

describe("the queue consumer under failures: every accepted row stored exactly once", () => {
  it(
    "survives every third batch throwing and a D1 error mid-batch; a redelivery inserts nothing twice",
    { timeout: 120_000 },
    async () => {
      const { queue, held } = holdingQueue();
      const instances = Array.from({ length: 60 }, () => uuid());
      const accepted = new Map<string, string>(); // ping uuid -> instance
      for (const [i, id] of instances.entries()) {
        accepted.set(await ping(queue, id), id);
        if (i % 2 === 0) accepted.set(await ping(queue, id), id); // a second ping of the day
        if (i % 3 === 0) {
          // A client retry: same Idempotency-Key, same uuid, answered without reading D1.
          const first = await ping(queue, id, `retry-${id}`);
          expect(await ping(queue, id, `retry-${id}`)).toBe(first);
          accepted.set(first, id);
        }
      }
      const events: string[] = [];
      for (let i = 0; i < 12; i++) events.push(...(await capture(queue, 50)));
      const sentryIds: Array<{ exceptionId: string; messageId: string }> = [];
      for (const [i, id] of instances.slice(0, 20).entries()) sentryIds.push(await sentry(queue, id, i));
      expect(held.length).toBeGreaterThan(100); // more than one consumer batch

      // Invocation 1: the second transaction fails after the first committed (mid-batch D1 error);
      // every third invocation fails outright. The rest reach D1.
      const dead = await deliver([...held], (n) => {
        if (n === 1) return flakyDb((call) => call === 2);
        if (n % 3 === 0) return flakyDb(() => true);
        return env.DB;
      });
      expect(dead).toEqual([]);

      expect(
        await countWhere(
          `SELECT count(*) AS n FROM pings WHERE instance_id IN (SELECT value FROM json_each(?))
           AND coalesce(idempotency_key, '') NOT LIKE 'sentry:%'`,
          JSON.stringify(instances),
        ),
      ).toBe(accepted.size);
      for (const [pingUuid] of accepted) {
        expect(await countWhere("SELECT count(*) AS n FROM pings WHERE uuid = ?", pingUuid)).toBe(1);
      }
      // The instance row counts each stored ping once, although batches were stored twice.
      const counts = await env.DB.prepare(
        `SELECT i.id, i.ping_count AS counted, (SELECT count(*) FROM pings p WHERE p.instance_id = i.id) AS stored
         FROM instances i WHERE i.id IN (SELECT value FROM json_each(?))`,
      )
        .bind(JSON.stringify(instances))
        .all<{ id: string; counted: number; stored: number }>();
      expect(counts.results).toHaveLength(instances.length);
      for (const r of counts.results) expect(r.counted).toBe(r.stored);
      expect(
        await countWhere(
          "SELECT count(*) AS n FROM events WHERE uuid IN (SELECT value FROM json_each(?))",
          JSON.stringify(events),
        ),
      ).toBe(events.length);
      // The breakdown slices counted each event once under each filter pattern (here: the version's).
      expect(
        await countWhere(
          "SELECT sum(pageviews) AS n FROM rollup_frontend_slices WHERE pinned = 1 AND product = 'flowforge'",
        ),
      ).toBe(events.length);
      expect(
        await countWhere("SELECT count(DISTINCT app_version) AS n FROM rollup_pages_slices WHERE pinned = 1"),
      ).toBe(3);

      // Sentry: every exception and message fact once, linked to its installation; one crashed
      // session, one aggregate and one client report per installation; four sightings each.
      const dashed = (hex: string) => hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
      const linked = async (table: string, ids: string[]) =>
        countWhere(
          `SELECT count(*) AS n FROM ${table} WHERE instance_id IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
          JSON.stringify(ids.map(dashed)),
        );
      expect(
        await linked(
          "exceptions",
          sentryIds.map((s) => s.exceptionId),
        ),
      ).toBe(20);
      expect(
        await linked(
          "facts",
          sentryIds.map((s) => s.messageId),
        ),
      ).toBe(20);
      expect(await countWhere("SELECT count(*) AS n FROM exceptions")).toBe(20);
      expect(await countWhere("SELECT count(*) AS n FROM release_sessions WHERE crashed = 1")).toBe(20);
      expect(await countWhere("SELECT count(*) AS n FROM release_sessions WHERE sessions = 2")).toBe(20);
      expect(await countWhere("SELECT sum(quantity) AS n FROM client_reports")).toBe((20 * 21) / 2);
      expect(await countWhere("SELECT count(*) AS n FROM pings WHERE idempotency_key LIKE 'sentry:%'")).toBe(60);

      // Delivering everything once more (a full redelivery) changes nothing at all.
      const before = await dumpDatabase();
      expect(
        await deliver(
          held.map((m) => ({ ...m, attempts: 0 })),
          () => env.DB,
        ),
      ).toEqual([]);
      expect(await dumpDatabase()).toBe(before);
    },
  );

  it("dead-letters a batch that keeps failing; the admin routes list and replay it into D1", async () => {
    const { queue, held } = holdingQueue();
    const ids = Array.from({ length: 5 }, () => uuid());
    const pings: string[] = [];
    for (const id of ids) pings.push(await ping(queue, id));
    const dead = await deliver([...held], () => flakyDb(() => true)); // D1 down for all 4 deliveries
    expect(dead).toHaveLength(5);
    expect(
      await countWhere(
        "SELECT count(*) AS n FROM pings WHERE uuid IN (SELECT value FROM json_each(?))",
        JSON.stringify(pings),
      ),
    ).toBe(0);

    // The queue hands them to the dead-letter queue, whose consumer keeps them in R2.
    expect(await consume("candor-ingest-dlq", dead)).toBe(true);
    const listed = deadLettersAnswer.parse(
      await (await callWith({}, "/v1/admin/dead-letters", { headers: ADMIN })).json(),
    );
    expect(listed.items.map((i) => i.id).sort()).toEqual(dead.map((m) => m.id).sort());

    const replayQueue = holdingQueue();
    const res = await callWith({ INGEST_QUEUE: replayQueue.queue }, "/v1/admin/dead-letters/replay", {
      method: "POST",
      headers: ADMIN,
    });
    expect(replayAnswer.parse(await res.json())).toEqual({ replayed: 5, remaining: false });
    const after = deadLettersAnswer.parse(
      await (await callWith({}, "/v1/admin/dead-letters", { headers: ADMIN })).json(),
    );
    expect(after.items).toEqual([]);

    expect(await deliver(replayQueue.held, () => env.DB)).toEqual([]);
    expect(
      await countWhere(
        "SELECT count(*) AS n FROM pings WHERE uuid IN (SELECT value FROM json_each(?))",
        JSON.stringify(pings),
      ),
    ).toBe(5);
  });

  it("answers a ping from the cached release, refreshed at once by an admin write", async () => {
    const { queue } = holdingQueue();
    const product = `p${uuid().slice(0, 8)}`;
    const send = async () => {
      const res = await callWith(queued(queue), "/v1/ping", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ instanceId: uuid(), product, version: "1.0.0" }),
      });
      return pingResponse.parse(await res.json());
    };
    expect(await send()).toMatchObject({ latest_version: null, ignored: [], dropped: [] });
    const put = await callWith({}, `/v1/admin/releases/${product}`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ version: "2.0.0" }),
    });
    expect(put.status).toBe(200);
    expect((await send()).latest_version).toBe("2.0.0");
  });
});
