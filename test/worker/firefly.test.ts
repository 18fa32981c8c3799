import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { fireflyResponse, fireflySharedInstallationId } from "../../schema";
import batch546 from "../fixtures/protocols/firefly-5.4.6-docker-batch.json?raw";
import batch527 from "../fixtures/protocols/firefly-5.2.7-bad-uuid-batch.json?raw";
import accepted from "../fixtures/protocols/firefly-response-200.json?raw";
import { call, count, dumpDatabase, uuid } from "./helpers";

const INSTANCE = "3f8e2a64-71c9-4b0d-9e15-6a2c8d4f0b37";

/** POST the exact bytes Firefly III's job sends, with its headers (Guzzle 7.4.5). */
function submit(body: string, version: string | null = "5.4.6", path = "/submit"): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    connect_timeout: "3.14",
  };
  if (version !== null) headers["user-agent"] = `FireflyIII/${version}`;
  return call(path, { method: "POST", headers, body });
}
type Row = { installation_id: string; collected_at: string; type: string; key: string; value: string };
const rows546 = JSON.parse(batch546) as Row[];
function row(fields: Partial<Row> = {}): Row {
  return {
    installation_id: uuid(),
    collected_at: "Sat, 05 Dec 2020 10:14:03 +0100",
    type: "feature",
    key: "system.os.version",
    value: "Linux",
    ...fields,
  };
}
async function facts(instanceId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM facts WHERE instance_id = ? ORDER BY key, value")
    .bind(instanceId)
    .all<{ id: string; key: string; value: string; kind: string; collected_at: number }>();
  return results;
}
/** Rows that say something was stored: every raw table. */
async function counts() {
  return {
    instances: await count("instances"),
    pings: await count("pings"),
    facts: await count("facts"),
    unattributed: await count("unattributed_facts"),
  };
}

describe("Firefly III /submit: the recorded batches get exactly the answer Firefly requires", () => {
  let firstAnswer = "";

  it("5.4.6 weekly batch: 200 {uuid} and nothing else; rows become facts of the installation", async () => {
    const res = await submit(batch546);
    expect(res.status).toBe(200);
    firstAnswer = await res.text();
    const body = fireflyResponse.parse(JSON.parse(firstAnswer)); // strict: only `uuid`
    expect(Object.keys(body)).toEqual(Object.keys(JSON.parse(accepted) as object));

    const instance = await env.DB.prepare("SELECT * FROM instances WHERE id = ?").bind(INSTANCE).first();
    expect(instance).toMatchObject({ product: "firefly-iii", version: "5.4.6", os_type: "Linux", ping_count: 1 });
    const ping = await env.DB.prepare("SELECT * FROM pings WHERE instance_id = ?").bind(INSTANCE).first<{
      env: string;
      version: string;
      idempotency_key: string;
    }>();
    expect(ping!.version).toBe("5.4.6");
    expect(JSON.parse(ping!.env)).toEqual({ php: "7.4.13", database: "mysql", docker: "true" });
    expect(ping!.idempotency_key).toBe(`firefly:${body.uuid}`);

    const stored = await facts(INSTANCE);
    expect(stored).toHaveLength(18);
    // collected_at is RFC 2822 with an offset: the UTC instant is kept.
    expect(stored.find((f) => f.key === "system.php.version")).toMatchObject({
      kind: "feature",
      value: "7.4.13",
      collected_at: Date.UTC(2020, 11, 5, 9, 14, 3),
    });
    // Console signatures (1,418 chars with newlines) are reduced to the command name.
    expect(stored.filter((f) => f.key === "system.command.executed").map((f) => f.value)).toEqual([
      "firefly-iii:cron",
      "firefly-iii:export-data",
      "firefly:instructions",
    ]);
    expect(stored.filter((f) => f.key === "system.users.count").map((f) => f.value)).toEqual(["0", "1"]);
    // Ids are derived from the row: valid UUIDs (v8), all distinct.
    expect(new Set(stored.map((f) => f.id)).size).toBe(18);
    for (const f of stored)
      expect(f.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("a resend of the same batch (a week later, rows in another order) stores nothing new and gets the same uuid", async () => {
    const before = await counts();
    const again = await submit(batch546, "5.4.7"); // Firefly upgraded meanwhile: the UA says so
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstAnswer);
    const shuffled = JSON.stringify([...rows546].reverse());
    const third = await submit(shuffled);
    expect(await third.text()).toBe(firstAnswer);
    expect(await counts()).toEqual(before);
    const instance = await env.DB.prepare("SELECT ping_count FROM instances WHERE id = ?").bind(INSTANCE).first();
    expect(instance).toEqual({ ping_count: 1 });
  });

  it("a later batch with some rows already sent stores only the new facts", async () => {
    const before = await facts(INSTANCE);
    const next = [
      ...rows546.slice(0, 3),
      row({ installation_id: INSTANCE, key: "admin.update.channel", value: "beta" }),
    ];
    const res = await submit(JSON.stringify(next));
    expect(res.status).toBe(200);
    expect(await res.text()).not.toBe(firstAnswer);
    const after = await facts(INSTANCE);
    expect(after).toHaveLength(before.length + 1);
    expect(await count(`pings WHERE instance_id = '${INSTANCE}'`)).toBe(2);
  });

  it("5.2.7's shared-UUID batch: 200, no instance, counted only as unattributed facts; a resend adds nothing", async () => {
    const before = await counts();
    const res = await submit(batch527, "5.2.7");
    expect(res.status).toBe(200);
    const { uuid: ref } = fireflyResponse.parse(await res.json());
    const after = await counts();
    expect(after).toEqual({ ...before, unattributed: before.unattributed + 9 });
    expect(await count(`instances WHERE id = '${fireflySharedInstallationId}'`)).toBe(0);
    const again = await submit(batch527, "5.2.7");
    expect(fireflyResponse.parse(await again.json()).uuid).toBe(ref);
    expect(await counts()).toEqual(after);
  });

  it("a 5.3.0 batch mixing the shared id, 'empty' and a new v4 id creates only the v4 instance", async () => {
    const fresh = uuid();
    const mixed = [
      row({ installation_id: fireflySharedInstallationId, key: "system.php.version", value: "7.4.7" }),
      row({ installation_id: "empty", key: "system.database.driver", value: "sqlite" }),
      row({ installation_id: fresh.toUpperCase(), key: "system.os.is_docker", value: "false" }),
    ];
    const before = await counts();
    expect((await submit(JSON.stringify(mixed), "5.3.0")).status).toBe(200);
    expect(await counts()).toEqual({
      instances: before.instances + 1,
      pings: before.pings + 1,
      facts: before.facts + 1,
      unattributed: before.unattributed + 2,
    });
    expect(await count(`instances WHERE id = '${fresh}'`)).toBe(1); // stored lower-case
  });

  it("merely unusual rows are answered 200: dropped or reduced, never refused", async () => {
    const id = uuid();
    const unusual = [
      row({ installation_id: id, key: "system.users.count", value: "3" }),
      row({ installation_id: id, key: "made.up.key", value: "x" }),
      row({ installation_id: id, key: "user.preferences.language", value: "alice@example.com" }),
      row({ installation_id: id, type: "string" }),
      row({ installation_id: id, key: "system.command.errored", value: "/home/alice/bin/run --token=s3cr3t" }),
      row({ installation_id: id, key: "search.operators.uses_operator", value: "x".repeat(5000) }),
      row({ installation_id: id, key: "admin.update.permission", value: "1", collected_at: "yesterday-ish" }),
      { installation_id: id, collected_at: "Sat, 05 Dec 2020 10:14:03 +0100", type: "feature", key: "k" } as Row,
      row({ installation_id: "not-a-uuid <alice@example.com>", key: "system.php.version", value: "8.0.1" }),
      {
        installation_id: id,
        collected_at: 5,
        type: "feature",
        key: "system.os.version",
        value: { nested: true },
      } as unknown as Row,
    ];
    const before = await counts();
    const sent = Date.now();
    const res = await submit(JSON.stringify(unusual));
    expect(res.status).toBe(200);
    fireflyResponse.parse(await res.json());
    const stored = await facts(id);
    expect(stored.map((f) => [f.key, f.value])).toEqual([
      ["admin.update.permission", "1"], // unreadable collected_at: the receive time
      ["system.users.count", "3"],
    ]);
    expect(stored[0]!.collected_at).toBeGreaterThanOrEqual(sent);
    expect(await counts()).toMatchObject({ unattributed: before.unattributed + 1 }); // the garbage id: nobody's
    const dump = await dumpDatabase();
    for (const planted of ["alice@example.com", "/home/alice", "s3cr3t", "made.up.key", "xxxxxxxxxx", "not-a-uuid"]) {
      expect(dump).not.toContain(planted);
    }
  });

  it("takes the version from User-Agent: FireflyIII/<version> and never stores the header", async () => {
    const cases: Array<[string | null, string | null]> = [
      ["5.5.0-beta.3", "5.5.0-beta.3"],
      [null, null],
    ];
    for (const [ua, version] of cases) {
      const id = uuid();
      expect((await submit(JSON.stringify([row({ installation_id: id })]), ua, "/v1/firefly/submit")).status).toBe(200);
      const instance = await env.DB.prepare("SELECT version FROM instances WHERE id = ?").bind(id).first();
      expect(instance).toEqual({ version });
    }
    const id = uuid();
    const res = await call("/submit", {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Mozilla/5.0 (X11; Linux) planted-agent" },
      body: JSON.stringify([row({ installation_id: id })]),
    });
    expect(res.status).toBe(200);
    expect(await env.DB.prepare("SELECT version FROM instances WHERE id = ?").bind(id).first()).toEqual({
      version: null,
    });
    const dump = await dumpDatabase();
    expect(dump).not.toContain("planted-agent");
    expect(dump).not.toContain("FireflyIII/");
  });
});

describe("Firefly III /submit: only a body that is not a JSON array of objects is refused", () => {
  const cases: Array<[string, string, number, string, string | undefined]> = [
    ["an object", JSON.stringify(row()), 400, "invalid_field", "$"],
    ["an array of strings", JSON.stringify(["a", "b"]), 400, "invalid_field", "$[0]"],
    ["an array of arrays", JSON.stringify([[row()]]), 400, "invalid_field", "$[0]"],
    ["51 rows", JSON.stringify(Array.from({ length: 51 }, () => row())), 400, "invalid_field", "$"],
    ["null", "null", 400, "invalid_field", "$"],
    ["not JSON", batch546.slice(0, 200), 400, "invalid_json", undefined],
    ["over 256 KiB", JSON.stringify([row({ value: "x".repeat(300_000) })]), 413, "payload_too_large", undefined],
  ];
  it.each(cases)("%s", async (_name, body, status, code, path) => {
    const before = await dumpDatabase();
    const res = await submit(body);
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error: { code: string; path?: string } };
    expect(answer.error.code).toBe(code);
    if (path) expect(answer.error.path).toBe(path);
    expect(await dumpDatabase()).toBe(before);
  });

  it("an empty array is a valid (empty) submission", async () => {
    const before = await counts();
    const res = await submit("[]");
    expect(res.status).toBe(200);
    fireflyResponse.parse(await res.json());
    expect(await counts()).toEqual(before);
  });
});
