/**
 * FerretDB's beacon and Firefly III's /submit against the real worker under `wrangler dev`
 * (workerd + a fresh local D1; test/harness/wranglerDev.ts). Not Miniflare in-process: there the
 * early 413 to an oversized body closes the connection while node:http is still writing it
 * (EPIPE); through wrangler dev the answer arrives. The recorded fixture bytes are replayed with
 * the clients' own headers over plain HTTP/1.1 (node:http, nothing added), and D1 is read back.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ferretdbResponse } from "../../schema/wire/ferretdb.ts";
import { fireflyResponse } from "../../schema/wire/firefly.ts";
import type { RunningWorker } from "../harness/runningWorker.ts";
import { startWranglerDev } from "../harness/wranglerDev.ts";
import { DRAIN_MARKER_PRODUCT, drained, eventually } from "../harness/eventually.ts";
import { ROOT } from "./run.ts";

const fixture = (name: string) => readFileSync(path.join(ROOT, "test/fixtures/protocols", name));
const FERRET_V2 = fixture("ferretdb-v2.7.0-docker-1day.json");
const FERRET_V1 = fixture("ferretdb-v1.24.2-postgresql.json");
const FIREFLY_546 = fixture("firefly-5.4.6-docker-batch.json");
const FIREFLY_527 = fixture("firefly-5.2.7-bad-uuid-batch.json");

/**
 * One HTTP/1.1 request with exactly these headers and bytes (as Go's and Guzzle's clients send
 * them). A gzip answer (FerretDB sends Accept-Encoding: gzip) is decoded, as Go's transport does.
 */
function send(url: string, pathName: string, headers: Record<string, string>, body: Buffer) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
    const req = httpRequest(
      `${url}${pathName}`,
      { method: "POST", headers: { ...headers, "Content-Length": String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const text = (res.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
          resolve({ status: res.statusCode!, headers: res.headers, text });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
const ferret = (url: string, body: Buffer, pathName = "/") =>
  send(
    url,
    pathName,
    {
      "User-Agent": "Go-http-client/1.1",
      "Content-Type": "application/json; charset=utf-8",
      "Accept-Encoding": "gzip",
    },
    body,
  );
const firefly = (url: string, body: Buffer, version = "5.4.6") =>
  send(
    url,
    "/submit",
    {
      "Content-Type": "application/json",
      Accept: "application/json",
      connect_timeout: "3.14",
      "User-Agent": `FireflyIII/${version}`,
    },
    body,
  );

let worker: RunningWorker;
const rows = async (sql: string) => worker.query(sql);
// Row counts (drained()'s marker pings left out). The worker runs as deployed (INGEST_MODE=queue):
// answers come before the consumer stores, so reads wait for it (eventually / drained).
const counts = async () =>
  (
    await rows(
      `SELECT (SELECT count(*) FROM instances WHERE product <> '${DRAIN_MARKER_PRODUCT}') AS instances, (SELECT count(*) FROM pings WHERE product <> '${DRAIN_MARKER_PRODUCT}') AS pings, (SELECT count(*) FROM facts) AS facts, (SELECT count(*) FROM unattributed_facts) AS unattributed`,
    )
  )[0]!;

beforeAll(async () => {
  worker = await startWranglerDev();
});
afterAll(async () => worker?.stop());

describe("seed clients' own protocols against wrangler dev", () => {
  it("FerretDB v2.7.0 at POST / and v1.24.2 at POST /v1/ferretdb: 201 with a decodable object; a replay stores nothing", async () => {
    const first = await ferret(worker.url, FERRET_V2);
    expect(first.status).toBe(201);
    expect(first.headers["content-type"]).toMatch(/^application\/json/);
    expect(ferretdbResponse.parse(JSON.parse(first.text))).toEqual({
      latest_version: "v2.7.0",
      update_available: false,
      update_info: "",
    });
    const v1 = await ferret(worker.url, FERRET_V1, "/v1/ferretdb");
    expect(v1.status).toBe(201);
    ferretdbResponse.parse(JSON.parse(v1.text));
    const before = await eventually(counts, (c) => Number(c.pings) === 2);
    const replay = await ferret(worker.url, FERRET_V2);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    await drained(worker);
    expect(await counts()).toEqual(before);
    expect(before).toMatchObject({ instances: 2, pings: 2 });
    const [ping] = await rows(
      "SELECT version, uptime, commands FROM pings WHERE instance_id = '4f2c9a7e-5b1d-4e8a-9c3f-2d7b6a1e0f93'",
    );
    expect(ping).toMatchObject({ version: "v2.7.0", uptime: 86400 });
    expect(JSON.parse(ping!.commands as string)).toContainEqual([
      "OP_MSG",
      "aggregate",
      "$lookup (stage)",
      "NotImplemented",
      3,
    ]);
  });

  it("FerretDB hears about a newer release in its own version format", async () => {
    const put = await worker.admin("/v1/admin/releases/ferretdb", {
      method: "PUT",
      body: JSON.stringify({ version: "2.8.0" }),
    });
    expect(put.status).toBe(200);
    const body = JSON.parse(FERRET_V2.toString()) as Record<string, unknown>;
    const next = await ferret(worker.url, Buffer.from(JSON.stringify({ ...body, uptime: 172800099948209 })));
    expect(next.status).toBe(201);
    const answer = ferretdbResponse.parse(JSON.parse(next.text));
    expect(answer).toMatchObject({ latest_version: "v2.8.0", update_available: true });
    expect(answer.update_info).toContain("v2.8.0");
  });

  it("Firefly III 5.4.6 at POST /submit: exactly 200 {uuid}; a resend stores nothing and gets the same uuid", async () => {
    const first = await firefly(worker.url, FIREFLY_546);
    expect(first.status).toBe(200);
    expect(Object.keys(JSON.parse(first.text) as object)).toEqual(["uuid"]);
    fireflyResponse.parse(JSON.parse(first.text));
    await drained(worker);
    const before = await counts();
    const again = await firefly(worker.url, FIREFLY_546);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    await drained(worker);
    expect(await counts()).toEqual(before);
    const [n] = await rows(
      "SELECT count(*) AS n FROM facts WHERE instance_id = '3f8e2a64-71c9-4b0d-9e15-6a2c8d4f0b37'",
    );
    expect(n!.n).toBe(18);
  });

  it("Firefly III 5.2.7's shared-UUID batch: 200, no instance, only unattributed facts", async () => {
    await drained(worker);
    const before = await counts();
    const res = await firefly(worker.url, FIREFLY_527, "5.2.7");
    expect(res.status).toBe(200);
    fireflyResponse.parse(JSON.parse(res.text));
    const after = await eventually(counts, (c) => c.unattributed !== before.unattributed);
    expect(after).toEqual({ ...before, unattributed: Number(before.unattributed) + 9 });
  });

  it("hostile bodies: a stable 4xx, never a 5xx, and no row", async () => {
    await drained(worker);
    const before = await counts();
    const deep = Buffer.from(
      JSON.stringify({ uuid: crypto.randomUUID(), command_metrics: { a: { b: { c: { d: { e: 1 } } } } } }),
    );
    const deepRes = await ferret(worker.url, deep);
    expect(deepRes.status).toBe(400);
    expect(JSON.parse(deepRes.text)).toMatchObject({ error: { code: "invalid_field" } });
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) many[`cmd${i}`] = { unknown: { ok: 1 } };
    const manyRes = await ferret(
      worker.url,
      Buffer.from(JSON.stringify({ uuid: crypto.randomUUID(), command_metrics: { OP_MSG: many } })),
    );
    expect(manyRes.status).toBe(413);
    expect(JSON.parse(manyRes.text)).toMatchObject({ error: { code: "payload_too_large" } });
    const object = await firefly(worker.url, Buffer.from('{"installation_id":"x"}'));
    expect(object.status).toBe(400);
    expect(JSON.parse(object.text)).toMatchObject({ error: { code: "invalid_field", path: "$" } });
    await drained(worker);
    expect(await counts()).toEqual(before);
  });
});
