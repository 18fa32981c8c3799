// An erase must hold against what is still in the queue: a ping answered before the erase and
// stored by the consumer after it (or redelivered after it) must not bring the installation back.
import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { callWith, count, emptyArchive, emptyDatabase } from "./helpers";
import { consume, eraseBetween, holdingQueue, later, type Held } from "./queueHelpers";
import { newIdentity, rowsOf, type Identity } from "./identity";

/** A keyed ping of `who` (a fact and an exception with it) answered in queue mode: kept in `queue`. */
async function queuedPing(queue: Queue, who: Identity): Promise<void> {
  const res = await callWith({ INGEST_MODE: "queue", INGEST_QUEUE: queue }, "/v1/ping", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${who.key}` },
    body: JSON.stringify({
      instanceId: who.id,
      product: "p-erase-queued",
      version: "1.0.0",
      facts: [{ id: crypto.randomUUID(), kind: "feature", key: "k", value: "v", collectedAt: 1 }],
      exceptions: [{ id: crypto.randomUUID(), type: "Error", message: "m", collectedAt: 1 }],
    }),
  });
  expect(res.status).toBe(200);
}

const none = { pings: 0, facts: 0, exceptions: 0, instances: 0, events: 0, activity: 0 };

describe("an erase holds against queued and redelivered messages", () => {
  beforeEach(async () => {
    await emptyDatabase();
    await emptyArchive();
  });

  it("the maintainer's erase: a ping still queued is not stored and does not recreate the installation", async () => {
    const who = await newIdentity();
    const { queue, held } = holdingQueue();
    await queuedPing(queue, who);
    expect(await consume("candor-ingest", held.splice(0))).toBe(true);
    expect((await rowsOf(who)).pings).toBe(1);

    await queuedPing(queue, who); // answered, not yet stored
    const redelivery: Held[] = [...held];
    expect(await eraseBetween(who.id)).toBe(204);
    expect(await consume("candor-ingest", held.splice(0))).toBe(true);
    expect(await rowsOf(who)).toMatchObject(none);
    expect(await consume("candor-ingest", redelivery)).toBe(true); // the same message again
    expect(await rowsOf(who)).toMatchObject(none);
  });

  it("the installation's own forget (DELETE /v1/instances/:id with its key) holds the same way", async () => {
    const who = await newIdentity();
    const { queue, held } = holdingQueue();
    await queuedPing(queue, who);
    expect(await consume("candor-ingest", held.splice(0))).toBe(true);
    await queuedPing(queue, who);
    await later();
    const forgot = await callWith({}, `/v1/instances/${who.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${who.key}` },
    });
    expect(forgot.status).toBe(204);
    expect(await consume("candor-ingest", held.splice(0))).toBe(true);
    expect(await rowsOf(who)).toMatchObject(none);
  });

  it("a ping received after the erase is stored: the installation starts again, with only that ping", async () => {
    const who = await newIdentity();
    const { queue, held } = holdingQueue();
    await queuedPing(queue, who);
    const before = held.splice(0);
    expect(await eraseBetween(who.id)).toBe(404); // nothing stored yet: nothing to erase, but the erase is recorded all the same
    await queuedPing(queue, who);
    expect(await consume("candor-ingest", [...before, ...held.splice(0)])).toBe(true);
    expect(await rowsOf(who)).toMatchObject({ pings: 1, facts: 1, exceptions: 1, instances: 1, activity: 1 });
    const day = new Date().toISOString().slice(0, 10);
    const active = await env.DB.prepare(
      "SELECT active1 FROM rollup_active WHERE product = 'p-erase-queued' AND day = ?",
    )
      .bind(day)
      .first<{ active1: number }>();
    expect(active!.active1).toBe(1);
  });

  it("a keyed ping still queued at the erase registers no key on the installation a later keyless ping recreated", async () => {
    const who = await newIdentity();
    const { queue, held } = holdingQueue();
    await queuedPing(queue, who);
    const before = held.splice(0);
    expect(await eraseBetween(who.id)).toBe(404);
    const keyless = await callWith({ INGEST_MODE: "queue", INGEST_QUEUE: queue }, "/v1/ping", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instanceId: who.id, product: "p-erase-queued", version: "2.0.0" }),
    });
    expect(keyless.status).toBe(200);
    expect(await consume("candor-ingest", held.splice(0))).toBe(true); // the new installation, keyless
    expect(await consume("candor-ingest", before)).toBe(true); // the old keyed ping, delivered late
    const row = await env.DB.prepare("SELECT key_hash, ping_count FROM instances WHERE id = ?").bind(who.id).first();
    expect(row).toEqual({ key_hash: null, ping_count: 1 });
  });

  it("a frontend event still queued at the erase is not stored, counted or archived; one captured after it is", async () => {
    const who = await newIdentity();
    const { queue, held } = holdingQueue();
    const capture = async (path: string) => {
      const res = await callWith({ INGEST_MODE: "queue", INGEST_QUEUE: queue }, "/batch/", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          api_key: "phc_candor_dev",
          batch: [
            {
              uuid: crypto.randomUUID(),
              event: "$pageview",
              properties: { distinct_id: "d", $session_id: "s", candor_instance_ref: who.ref, $pathname: path },
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
    };
    await capture("/before");
    expect(await eraseBetween(who.id)).toBe(404);
    expect(await consume("candor-ingest", held.splice(0))).toBe(true);
    expect(await count(`events WHERE instance_ref = '${who.ref}'`)).toBe(0);
    expect(await count("rollup_pages")).toBe(0);
    expect(await count("event_archive_pending")).toBe(0);
    expect((await env.ARCHIVE.list({ prefix: "events/" })).objects).toEqual([]);

    await later();
    await capture("/after");
    expect(await consume("candor-ingest", held.splice(0))).toBe(true);
    const paths = await env.DB.prepare("SELECT path FROM events WHERE instance_ref = ?").bind(who.ref).all();
    expect(paths.results).toEqual([{ path: "/after" }]);
    expect(await count("rollup_pages WHERE path = '/after'")).toBe(1);
  });

  it("direct mode: a ping whose installation is erased as it is stored gets 200 and stores nothing (not a key refusal)", async () => {
    const who = await newIdentity();
    // The erase committed after this ping's receipt and before its batch: an erase time ahead of it.
    await env.DB.prepare("INSERT INTO erased_refs (ref, erased_at) VALUES (?, ?)")
      .bind(who.ref, Date.now() + 60_000)
      .run();
    const res = await callWith({ INGEST_MODE: "direct" }, "/v1/ping", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${who.key}` },
      body: JSON.stringify({ instanceId: who.id, product: "p-erase-queued", version: "1.0.0" }),
    });
    expect(res.status).toBe(200);
    expect(await rowsOf(who)).toMatchObject(none);
  });
});
