import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { ferretdbLimits, ferretdbResponse } from "../../schema";
import v2 from "../fixtures/protocols/ferretdb-v2.7.0-docker-1day.json?raw";
import v1 from "../fixtures/protocols/ferretdb-v1.24.2-postgresql.json?raw";
import accepted from "../fixtures/protocols/ferretdb-response-201.json?raw";
import { admin, call, count, dumpDatabase, errorCode, uuid } from "./helpers";

/** POST the exact bytes FerretDB sends, with its Content-Type. */
function beacon(body: string, path = "/", headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Go-http-client/1.1", ...headers },
    body,
  });
}
/** A v2 report for another installation (and optionally other fields), as Go would marshal it. */
function report(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...(JSON.parse(v2) as object), uuid: uuid(), ...fields });
}
async function storedPing(instanceId: string) {
  return env.DB.prepare("SELECT * FROM pings WHERE instance_id = ?").bind(instanceId).first<{
    product: string;
    version: string;
    os_type: string;
    os_arch: string;
    uptime: number | null;
    env: string;
    config: string | null;
    commands: string | null;
    idempotency_key: string;
  }>();
}

describe("FerretDB beacon: the recorded reports get the answer FerretDB requires", () => {
  it("v2.7.0 at POST /: 201, one JSON object of strings and a bool, stored under ferretdb", async () => {
    const res = await beacon(v2);
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = ferretdbResponse.parse(await res.json()); // strict: no other key
    // No release set: nothing newer, so the client's own version and no notice.
    expect(body).toEqual({ latest_version: "v2.7.0", update_available: false, update_info: "" });
    // The shape matches the recorded answer FerretDB accepted.
    expect(Object.keys(body).sort()).toEqual(Object.keys(JSON.parse(accepted) as object).sort());

    const ping = await storedPing("4f2c9a7e-5b1d-4e8a-9c3f-2d7b6a1e0f93");
    expect(ping).toMatchObject({ product: "ferretdb", version: "v2.7.0", os_type: "linux", os_arch: "amd64" });
    expect(ping!.uptime).toBe(86400); // 86400099948209 ns
    expect(JSON.parse(ping!.env)).toEqual({
      go: "go1.25.4",
      package: "docker",
      debug: "false",
      dirty: "false",
      postgresql: "17.6",
      documentdb: "0.107.0",
    });
    expect(JSON.parse(ping!.config!)).toEqual({
      "-buildmode": "exe",
      "-compiler": "gc",
      "-trimpath": "true",
      CGO_ENABLED: "0",
      GOAMD64: "v1",
      GOARCH: "amd64",
      GOOS: "linux",
      vcs: "git",
      "vcs.modified": "false",
    });
    const commands = JSON.parse(ping!.commands!) as unknown[];
    expect(commands).toContainEqual(["OP_MSG", "aggregate", "$lookup (stage)", "NotImplemented", 3]);
    expect(commands).toContainEqual(["OP_MSG", "atlasVersion", "unknown", "CommandNotFound", 1]);
    expect(commands).toContainEqual(["OP_QUERY", "isMaster", "unknown", "ok", 6]);
    expect(commands).toHaveLength(14);
    expect(commands.slice(0, 5).every((c) => (c as string[])[3] !== "ok")).toBe(true); // failures first
  });

  it("v1.24.2 at POST /v1/ferretdb: 201; handler/handler_version kept as backend numbers, zero counts dropped", async () => {
    const res = await beacon(v1, "/v1/ferretdb");
    expect(res.status).toBe(201);
    expect(ferretdbResponse.parse(await res.json())).toEqual({
      latest_version: "v1.24.2",
      update_available: false,
      update_info: "",
    });
    // --dev-telemetry-url is used as given: a trailing slash reaches the same route.
    const slash = await beacon(v1.replace("7d3c2b1a-9e8f", "7d3c2b1a-0000"), "/v1/ferretdb/");
    expect(slash.status).toBe(201);
    const ping = await storedPing("7d3c2b1a-9e8f-4a6b-b5c4-d3e2f1a0b9c8");
    expect(ping!.uptime).toBe(172800);
    expect(JSON.parse(ping!.env)).toMatchObject({ backend: "PostgreSQL", backend_version: "16.4", go: "go1.24.3" });
    const commands = JSON.parse(ping!.commands!) as Array<[string, string, string, string, number]>;
    expect(commands).toContainEqual(["OP_MSG", "find", "collation", "NotImplemented", 4]);
    expect(commands).toContainEqual(["OP_MSG", "update", "$set", "InternalError", 1]);
    expect(commands.some((c) => c[4] === 0)).toBe(false); // "ok": 0 carries nothing
  });

  it("a replay of the same bytes stores nothing new and gets the same answer", async () => {
    const body = report();
    const id = (JSON.parse(body) as { uuid: string }).uuid;
    const first = await (await beacon(body)).json();
    const [pings, instances] = [await count("pings"), await count("instances")];
    const again = await beacon(body);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(first);
    expect(await count("pings")).toBe(pings);
    expect(await count("instances")).toBe(instances);
    const row = await env.DB.prepare("SELECT ping_count FROM instances WHERE id = ?")
      .bind(id)
      .first<{ ping_count: number }>();
    expect(row!.ping_count).toBe(1);
    // The next day's report (another uptime) is a new ping of the same installation.
    const next = JSON.stringify({ ...(JSON.parse(body) as object), uptime: 172800099948209 });
    expect((await beacon(next)).status).toBe(201);
    expect(await count(`pings WHERE instance_id = '${id}'`)).toBe(2);
  });

  it("answers from Candor's release and alerts, in the client's version format, update_info a string", async () => {
    const put = await admin("/v1/admin/releases/ferretdb", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ version: "2.8.0", info: "Faster $lookup", url: "https://example.com/2.8.0" }),
    });
    expect(put.status).toBe(200);
    const alert = await admin("/v1/admin/alerts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        product: "ferretdb",
        affects: ">=2.0.0 <2.8.0",
        level: "critical",
        message: "CVE-2026-0001\nupgrade",
      }),
    });
    expect(alert.status).toBe(201);

    const old = ferretdbResponse.parse(await (await beacon(report())).json());
    expect(old.latest_version).toBe("v2.8.0"); // the client sent v2.7.0
    expect(old.update_available).toBe(true);
    expect(old.update_info).toBe(
      "A new version is available: v2.8.0 (current: v2.7.0). Faster $lookup https://example.com/2.8.0 | [critical] CVE-2026-0001 upgrade",
    );

    const current = ferretdbResponse.parse(await (await beacon(report({ version: "v2.8.0" }))).json());
    expect(current).toEqual({ latest_version: "v2.8.0", update_available: false, update_info: "" });
    const bare = ferretdbResponse.parse(await (await beacon(report({ version: "2.5.1" }))).json());
    expect(bare.latest_version).toBe("2.8.0"); // no "v" when the client uses none
    const dev = ferretdbResponse.parse(await (await beacon(report({ version: "unknown" }))).json());
    expect(dev).toEqual({ latest_version: "unknown", update_available: false, update_info: "" });
    await env.DB.prepare("DELETE FROM releases").run();
    await env.DB.prepare("DELETE FROM alerts").run();
  });

  it("uptime in nanoseconds past 2^53 is read exactly; an unusable uptime is dropped, never refused", async () => {
    const cases: Array<[string, number | null]> = [
      ["17280000999999999", 17280000], // 200 days: JSON.parse rounds this to 17280001000000000
      ["9223372036854775807", 9223372036], // Go's max Duration
      ["0", 0],
      ["1.5e12", 1500],
      ["-5", null],
      ["1e400", null],
      ['"86400"', null],
      ["null", null],
    ];
    expect(Math.floor(JSON.parse("17280000999999999") / 1e9)).toBe(17280001); // what a plain parse would keep
    for (const [uptime, seconds] of cases) {
      const id = uuid();
      const body = report({ uuid: id }).replace('"uptime":86400099948209', `"uptime":${uptime}`);
      expect(body).toContain(`"uptime":${uptime}`);
      const res = await beacon(body);
      expect(res.status, uptime).toBe(201);
      expect((await storedPing(id))!.uptime, uptime).toBe(seconds);
    }
  });

  it("command and argument names outside the MongoDB vocabulary are folded into 'other'", async () => {
    const id = uuid();
    const metrics = {
      OP_MSG: {
        "alice@example.com": { unknown: { ok: 3 } },
        find: { customerSecretField: { BadValue: 2 }, $where: { NotImplemented: 1 } },
        insert: { unknown: { "Made Up Result": 4 } },
      },
      OP_WHATEVER: { ping: { unknown: { ok: 1 } } },
    };
    expect((await beacon(report({ uuid: id, command_metrics: metrics }))).status).toBe(201);
    const commands = JSON.parse((await storedPing(id))!.commands!) as unknown[];
    expect(commands).toEqual(
      expect.arrayContaining([
        ["OP_MSG", "other", "unknown", "ok", 3],
        ["OP_MSG", "find", "other", "BadValue", 2],
        ["OP_MSG", "find", "$where", "NotImplemented", 1],
        ["OP_MSG", "insert", "unknown", "other", 4],
        ["other", "ping", "unknown", "ok", 1],
      ]),
    );
    const dump = await dumpDatabase();
    for (const planted of ["alice@example.com", "customerSecretField", "Made Up Result", "OP_WHATEVER"]) {
      expect(dump).not.toContain(planted);
    }
  });

  it("stores at most the configured number of combinations per report (failures kept first)", async () => {
    const id = uuid();
    const commands = [
      "find",
      "insert",
      "update",
      "delete",
      "aggregate",
      "count",
      "distinct",
      "getMore",
      "hello",
      "ping",
    ];
    const args = ["unknown", "sort", "hint", "$set", "$inc", "$lookup", "$match", "$group", "$project", "filter"];
    const results = ["ok", "BadValue", "NotImplemented"];
    const msg: Record<string, Record<string, Record<string, number>>> = {};
    for (const c of commands) {
      msg[c] = {};
      for (const a of args) msg[c]![a] = Object.fromEntries(results.map((r, i) => [r, 10 + i]));
    }
    expect(await beacon(report({ uuid: id, command_metrics: { OP_MSG: msg } })).then((r) => r.status)).toBe(201);
    const stored = JSON.parse((await storedPing(id))!.commands!) as Array<[string, string, string, string, number]>;
    // 300 combinations: 100 kept (all failures: 200 of them), the rest summed per result.
    expect(stored.length).toBeLessThanOrEqual(ferretdbLimits.storedCombinations + 3);
    expect(stored.slice(0, ferretdbLimits.storedCombinations).every((c) => c[3] !== "ok")).toBe(true);
    expect(stored.reduce((n, c) => n + c[4], 0)).toBe(100 * (10 + 11 + 12));
    expect(stored).toContainEqual(["other", "other", "other", "ok", 100 * 10]);
  });

  it("is stored under FERRETDB_PRODUCT when configured", async () => {
    const id = uuid();
    const request = new Request("https://candor.test/", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "cf-connecting-ip": "198.51.100.9" },
      body: report({ uuid: id }),
    });
    const res = await worker.fetch(
      request as Request<unknown, IncomingRequestCfProperties>,
      { ...env, FERRETDB_PRODUCT: "ferretdb-fork" } as unknown as Env,
      createExecutionContext(),
    );
    expect(res.status).toBe(201);
    expect((await storedPing(id))!.product).toBe("ferretdb-fork");
  });

  it("GET / is the worker's page (a link to /admin/), never a redirect; other methods are 405", async () => {
    const res = await call("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain("Candor");
    expect(html).toContain('href="/admin/"');
    const put = await call("/", { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("POST, GET");
  });
});

describe("FerretDB beacon: hostile bodies get a stable 4xx and leave no row", () => {
  const deep = report({ command_metrics: { OP_MSG: { find: { unknown: { ok: { nested: 1 } } } } } });
  const manyNames = (n: number) => {
    const find: Record<string, Record<string, Record<string, number>>> = {};
    for (let i = 0; i < n; i++) find[`c${i}`] = { u: { ok: 1 } };
    return report({ command_metrics: { OP_MSG: find } });
  };
  const cases: Array<[string, () => string, Record<string, string>, number, string, string | undefined]> = [
    [
      "command_metrics nested deeper than 4 levels",
      () => deep,
      {},
      400,
      "invalid_field",
      "$.command_metrics.OP_MSG.find.unknown.ok",
    ],
    [
      "3,000 command names (over the entry limit)",
      () => manyNames(3000),
      {},
      400,
      "invalid_field",
      "$.command_metrics",
    ],
    ["10,000 command names (over the body limit)", () => manyNames(10_000), {}, 413, "payload_too_large", undefined],
    [
      "a negative count",
      () => report({ command_metrics: { OP_MSG: { find: { unknown: { ok: -1 } } } } }),
      {},
      400,
      "invalid_field",
      "$.command_metrics.OP_MSG.find.unknown.ok",
    ],
    [
      "a command name of 300 chars",
      () => report({ command_metrics: { OP_MSG: { ["x".repeat(300)]: { unknown: { ok: 1 } } } } }),
      {},
      400,
      "invalid_field",
      undefined,
    ],
    ["no uuid", () => JSON.stringify({ version: "v2.7.0" }), {}, 400, "invalid_field", "$.uuid"],
    ["a uuid that is not one", () => report({ uuid: "4f2c9a7e" }), {}, 400, "invalid_field", "$.uuid"],
    ["a JSON array", () => "[]", {}, 400, "invalid_field", "$"],
    ["not JSON", () => v2.slice(0, 100), {}, 400, "invalid_json", undefined],
    ["a string for dirty", () => report({ dirty: "yes" }), {}, 400, "invalid_field", "$.dirty"],
    ["XML", () => "<report/>", { "content-type": "application/xml" }, 415, "unsupported_media_type", undefined],
  ];
  it.each(cases)("%s", async (_name, body, headers, status, code, path) => {
    const before = await dumpDatabase();
    const res = await beacon(body(), "/", headers);
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error: { code: string; path?: string; message: string } };
    expect(answer.error.code).toBe(code);
    if (path) expect(answer.error.path).toBe(path);
    expect(await dumpDatabase()).toBe(before);
  });

  it("the limits: 2,000 entries are accepted", async () => {
    expect((await beacon(manyNames(ferretdbLimits.metricLeaves))).status).toBe(201);
    expect(await errorCode(await beacon(manyNames(ferretdbLimits.metricLeaves + 1)))).toBe("invalid_field");
  });
});
