import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { admin, call, count, post, uuid } from "./helpers";

const TOKEN = "phc_candor_dev";

/** An installation known under an upper-case id: pings, a fact, an exception and a frontend event. */
async function installation(): Promise<{ lower: string; upper: string }> {
  const lower = uuid();
  const upper = lower.toUpperCase();
  const record = { id: uuid(), collectedAt: 1_700_000_000_000 };
  const res = await post("/v1/ping", {
    instanceId: upper,
    product: "p-case",
    facts: [{ ...record, kind: "feature", key: "k", value: "v" }],
    exceptions: [{ ...record, id: uuid(), type: "Error", message: "m" }],
  });
  expect(res.status).toBe(200);
  expect((await post("/v1/ping", { instanceId: lower, product: "p-case" })).status).toBe(200);
  const event = { uuid: uuid(), event: "$pageview", properties: { token: TOKEN, candor_instance_id: upper } };
  const cap = await call("/e/", { method: "POST", body: JSON.stringify({ api_key: TOKEN, batch: [event] }) });
  expect(cap.status).toBe(200);
  return { lower, upper };
}
const rows = async (id: string) => ({
  instances: await count(`instances WHERE id = '${id}'`),
  pings: await count(`pings WHERE instance_id = '${id}'`),
  facts: await count(`facts WHERE instance_id = '${id}'`),
  exceptions: await count(`exceptions WHERE instance_id = '${id}'`),
  events: await count(`events WHERE instance_id = '${id}'`),
});

describe("instance ids are compared case-insensitively everywhere (stored lower-case)", () => {
  it("ping, facts, exceptions and events of one installation land under its lower-case id", async () => {
    const { lower, upper } = await installation();
    expect(await rows(lower)).toEqual({ instances: 1, pings: 2, facts: 1, exceptions: 1, events: 1 });
    expect(await rows(upper)).toEqual({ instances: 0, pings: 0, facts: 0, exceptions: 0, events: 0 });
    const inst = await env.DB.prepare("SELECT ping_count FROM instances WHERE id = ?").bind(lower).first();
    expect(inst).toEqual({ ping_count: 2 });
  });

  it("admin lookups take any case", async () => {
    const { upper } = await installation();
    for (const path of ["pings", "facts", "exceptions"]) {
      expect((await admin(`/v1/admin/instances/${upper}/${path}`)).status, path).toBe(200);
    }
    const events = await admin(`/v1/admin/events?instance=${upper}`);
    expect(((await events.json()) as { events: unknown[] }).events).toHaveLength(1);
  });

  it("DELETE /v1/instances/<UPPER-CASE-ID> erases everything, events included (left behind before)", async () => {
    const { lower, upper } = await installation();
    expect((await call(`/v1/instances/${upper}`, { method: "DELETE" })).status).toBe(204);
    expect(await rows(lower)).toEqual({ instances: 0, pings: 0, facts: 0, exceptions: 0, events: 0 });
  });

  it("DELETE /v1/admin/instances/<UPPER-CASE-ID> too", async () => {
    const { lower, upper } = await installation();
    expect((await admin(`/v1/admin/instances/${upper}`, { method: "DELETE" })).status).toBe(204);
    expect(await rows(lower)).toEqual({ instances: 0, pings: 0, facts: 0, exceptions: 0, events: 0 });
  });
});

describe("migration 0005: rows stored under upper-case ids before it", () => {
  it("merges them into the lower-case id and canonicalises old event instance ids", async () => {
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
      "INSERT INTO instances (id, product, first_seen, last_seen, version, os_type, ping_count) VALUES (?, 'p', 10, 20, '1.0.0', 'Linux', 2), (?, 'p', 5, 30, '1.1.0', NULL, 1), (?, 'p', 7, 8, NULL, 'Darwin', 4)",
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
    const dashless = uuid();
    const events: Array<[string, string | null]> = [
      [upper, lower],
      [dashless.replaceAll("-", "").toUpperCase(), dashless],
      ["not an id: ops@acme.example", null],
    ];
    for (const [stored] of events) {
      await run(
        "INSERT INTO events (uuid, product, event, received_at, day, instance_id) VALUES (?, 'p', '$pageview', 1, ?, ?)",
        uuid(),
        day,
        stored,
      );
    }

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
      }),
    ]);
    expect(await rows(lower)).toMatchObject({ pings: 4, facts: 1, exceptions: 1, events: 1 });
    const keys = await env.DB.prepare("SELECT count(*) AS n FROM pings WHERE instance_id = ? AND idempotency_key = 'k'")
      .bind(lower)
      .first();
    expect(keys).toEqual({ n: 1 }); // only the lower-case row keeps its key: the unique index holds
    for (const [, want] of events.slice(1)) {
      if (want) expect(await count(`events WHERE instance_id = '${want}'`)).toBe(1);
    }
    expect(await count("events WHERE instance_id LIKE '%acme%'")).toBe(0);
  });
});
