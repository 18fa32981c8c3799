import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { eventsAnswer } from "../../schema";
import { browserRef } from "../../schema/wire/browserRef";
import { admin, call, count, post, uuid } from "./helpers";
import { newKey } from "./identity";

const TOKEN = "phc_candor_dev";

/**
 * An installation whose first ping spells its id in upper case: pings (the second in lower
 * case), a fact, an exception and a frontend event (by its browser reference).
 */
async function installation(key?: string): Promise<{ lower: string; upper: string }> {
  const lower = uuid();
  const upper = lower.toUpperCase();
  const record = { id: uuid(), collectedAt: 1_700_000_000_000 };
  const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const res = await post(
    "/v1/ping",
    {
      instanceId: upper,
      product: "p-case",
      facts: [{ ...record, kind: "feature", key: "k", value: "v" }],
      exceptions: [{ ...record, id: uuid(), type: "Error", message: "m" }],
    },
    auth,
  );
  expect(res.status).toBe(200);
  expect((await post("/v1/ping", { instanceId: lower, product: "p-case" }, auth)).status).toBe(200);
  const props = { token: TOKEN, candor_instance_ref: await browserRef(lower) };
  const event = { uuid: uuid(), event: "$pageview", properties: props };
  const cap = await call("/e/", { method: "POST", body: JSON.stringify({ api_key: TOKEN, batch: [event] }) });
  expect(cap.status).toBe(200);
  return { lower, upper };
}
const rows = async (id: string) => ({
  instances: await count(`instances WHERE id = '${id}'`),
  pings: await count(`pings WHERE instance_id = '${id}'`),
  facts: await count(`facts WHERE instance_id = '${id}'`),
  exceptions: await count(`exceptions WHERE instance_id = '${id}'`),
  events: await count(`events WHERE instance_ref = '${await browserRef(id)}'`),
});
const none = { instances: 0, pings: 0, facts: 0, exceptions: 0, events: 0 };

describe("instance ids are compared case-insensitively everywhere (stored lower-case)", () => {
  it("ping, facts and exceptions of one installation land under its lower-case id", async () => {
    const { lower, upper } = await installation();
    expect(await rows(lower)).toEqual({ instances: 1, pings: 2, facts: 1, exceptions: 1, events: 1 });
    expect(await count(`instances WHERE id = '${upper}'`)).toBe(0);
    const inst = await env.DB.prepare("SELECT ping_count FROM instances WHERE id = ?").bind(lower).first();
    expect(inst).toEqual({ ping_count: 2 });
  });

  it("admin lookups take any case", async () => {
    const { upper } = await installation();
    for (const path of ["pings", "facts", "exceptions"]) {
      expect((await admin(`/v1/admin/instances/${upper}/${path}`)).status, path).toBe(200);
    }
    const events = await admin(`/v1/admin/events?instance=${upper}`);
    expect(eventsAnswer.parse(await events.json()).items).toHaveLength(1);
  });

  it("DELETE /v1/instances/<UPPER-CASE-ID> erases everything (pings, facts, exceptions were left behind before)", async () => {
    const { lower, upper } = await installation();
    expect((await call(`/v1/instances/${upper}`, { method: "DELETE" })).status).toBe(204);
    expect(await rows(lower)).toEqual(none);
  });

  it("DELETE /v1/admin/instances/<UPPER-CASE-ID> too", async () => {
    const { lower, upper } = await installation();
    expect((await admin(`/v1/admin/instances/${upper}`, { method: "DELETE" })).status).toBe(204);
    expect(await rows(lower)).toEqual(none);
  });

  it("a keyed installation: another spelling of its id is no way around its key", async () => {
    const key = newKey();
    const { lower, upper } = await installation(key);
    const before = await rows(lower);
    // before: the upper-case id found no registered key, so it pinged as a new instance and
    // erased the installation's events (matched by reference) without the key
    expect((await post("/v1/ping", { instanceId: upper, product: "p-case" })).status).toBe(403);
    expect((await call(`/v1/instances/${upper}`, { method: "DELETE" })).status).toBe(403);
    expect(await rows(lower)).toEqual(before);
    const auth = { authorization: `Bearer ${key}` };
    expect((await call(`/v1/instances/${upper}`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect(await rows(lower)).toEqual(none);
  });
});

describe("migration 0008: rows stored under upper-case ids before it", () => {
  it("merges them into the lower-case id, keeping a registered key digest", async () => {
    const lower = uuid();
    const upper = lower.toUpperCase();
    const mixed = `${lower.slice(0, 8).toUpperCase()}${lower.slice(8)}`;
    const day = "2026-01-02";
    const run = (q: string, ...args: unknown[]) =>
      env.DB.prepare(q)
        .bind(...args)
        .run();
    // as the code before stored them: one installation under three spellings
    await run(
      "INSERT INTO instances (id, product, first_seen, last_seen, version, os_type, ping_count, key_hash) VALUES (?, 'p', 10, 20, '1.0.0', 'Linux', 2, NULL), (?, 'p', 5, 30, '1.1.0', NULL, 1, 'digest'), (?, 'p', 7, 8, NULL, 'Darwin', 4, NULL)",
      lower,
      upper,
      mixed,
    );
    const pings: Array<[string, string | null]> = [
      [lower, "k"],
      [upper, "k"],
      [upper, null],
      [mixed, "k"],
    ];
    for (const [i, [id, key]] of pings.entries()) {
      await run(
        "INSERT INTO pings (uuid, instance_id, idempotency_key, product, received_at, day) VALUES (?, ?, ?, 'p', ?, ?)",
        uuid(),
        id,
        key,
        i,
        day,
      );
    }
    await run(
      "INSERT INTO facts (id, instance_id, kind, key, value, collected_at, received_at, day) VALUES (?, ?, 'feature', 'k', 'v', 1, 1, ?)",
      uuid(),
      upper,
      day,
    );
    await run(
      "INSERT INTO exceptions (id, instance_id, fingerprint, type, collected_at, received_at, day) VALUES (?, ?, 'f', 'E', 1, 1, ?)",
      uuid(),
      mixed,
      day,
    );
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes("lowercase_instance_ids"))!;
    for (const query of migration.queries) await env.DB.prepare(query).run();

    const merged = await env.DB.prepare("SELECT * FROM instances WHERE lower(id) = ?").bind(lower).all();
    expect(merged.results).toEqual([
      expect.objectContaining({
        id: lower,
        first_seen: 5,
        last_seen: 30,
        version: "1.1.0",
        os_type: "Linux",
        ping_count: 7,
        key_hash: "digest", // the upper-case row's: a keyed installation stays keyed
      }),
    ]);
    expect(await rows(lower)).toMatchObject({ pings: 4, facts: 1, exceptions: 1 });
    const keys = await env.DB.prepare("SELECT count(*) AS n FROM pings WHERE instance_id = ? AND idempotency_key = 'k'")
      .bind(lower)
      .first();
    expect(keys).toEqual({ n: 1 }); // only the lower-case row keeps its key: the unique index holds
  });
});
