import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { ExceptionStats } from "../../schema";
import { emptyDatabase, post, uuid, adminJson } from "./helpers";
import { bulkPings, cron } from "./statsSeed";

const D = "2026-04-10";
const at = (hour: number) => Date.parse(`${D}T${String(hour).padStart(2, "0")}:00:00Z`);
const json = adminJson;
async function insertException(
  instance: string,
  fp: string,
  type: string,
  version: string,
  collectedAt: number,
  receivedAt: number,
  day: string,
) {
  await env.DB.prepare(
    `INSERT INTO exceptions (id, instance_id, fingerprint, type, message, version, collected_at, received_at, day)
      VALUES (?, ?, ?, ?, 'm', ?, ?, ?, ?)`,
  )
    .bind(uuid(), instance, fp, type, version, collectedAt, receivedAt, day)
    .run();
}

describe("exceptions: installation-days, latest type, server times", () => {
  beforeEach(emptyDatabase);

  it("an installation on two versions on one day counts once; type is the latest report's", async () => {
    await bulkPings({ n: 1, day: D, tag: "exc" }); // the installation (product acme) that reports
    const id = "exc-0000-4000-8000-000000000001";
    await insertException(id, "fpx", "ZError", "1.0.0", at(9), at(9), D);
    await insertException(id, "fpx", "AError", "1.1.0", at(11), at(11), D);
    await cron(at(12));
    const e = await json<ExceptionStats>(`/v1/admin/stats/exceptions?product=acme&from=${D}&to=${D}`);
    expect(e.groups).toEqual([
      {
        fingerprint: "fpx",
        type: "AError",
        message: "m",
        occurrences: 2,
        crashes: 0,
        installation_days: 1,
        versions: ["1.1.0", "1.0.0"],
        first_seen: `${D}T09:00:00.000Z`,
        last_seen: `${D}T11:00:00.000Z`,
        new_in: null,
      },
    ]);
  });

  it("client times are clamped to 2000..2100 on the wire; first/last seen come from the server clock", async () => {
    const id = uuid();
    const res = await post("/v1/ping", {
      instanceId: id,
      product: "rob",
      version: "1.0.0",
      facts: [{ id: uuid(), kind: "feature", key: "k", value: "v", collectedAt: 9e15 }],
      exceptions: [{ id: uuid(), type: "Error", message: "boom", collectedAt: 1 }],
    });
    expect(res.status).toBe(200);
    const fact = await env.DB.prepare("SELECT collected_at AS t FROM facts WHERE instance_id = ?")
      .bind(id)
      .first<{ t: number }>();
    expect(fact!.t).toBe(Date.UTC(2100, 0, 1));
    const ex = await env.DB.prepare(
      "SELECT collected_at AS t, received_at AS r, day FROM exceptions WHERE instance_id = ?",
    )
      .bind(id)
      .first<{ t: number; r: number; day: string }>();
    expect(ex!.t).toBe(Date.UTC(2000, 0, 1));
    // A row stored before the bound (collected_at far past any valid Date) must not break the route.
    await insertException(id, "fp-legacy", "Error", "1.0.0", 9e15, ex!.r, ex!.day);
    await cron(ex!.r);
    const e = await json<ExceptionStats>(`/v1/admin/stats/exceptions?product=rob&from=${ex!.day}&to=${ex!.day}`);
    expect(e.groups).toHaveLength(2);
    for (const g of e.groups)
      expect([g.first_seen, g.last_seen]).toEqual([new Date(ex!.r).toISOString(), new Date(ex!.r).toISOString()]);
  });
});
