import { describe, expect, it } from "vitest";
import type { CommandStats, FactStats } from "../../schema";
import { utcDay } from "../../worker/lib/time";
import v2 from "../fixtures/protocols/ferretdb-v2.7.0-docker-1day.json?raw";
import v1 from "../fixtures/protocols/ferretdb-v1.24.2-postgresql.json?raw";
import batch527 from "../fixtures/protocols/firefly-5.2.7-bad-uuid-batch.json?raw";
import { admin, call, uuid } from "./helpers";
import { cron } from "./statsSeed";

function beacon(body: string): Promise<Response> {
  return call("/", { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body });
}
const asInstance = (body: string, fields: Record<string, unknown>) =>
  JSON.stringify({ ...(JSON.parse(body) as object), uuid: uuid(), ...fields });

describe("GET /v1/admin/stats/commands: FerretDB failures by command and version, from rollups", () => {
  const today = utcDay(Date.now());
  const range = `from=${today}&to=${today}`;

  it("ranks the failures per version once the day is rolled up", async () => {
    // Two v2.7.0 installations sending the fixture, one v1.24.2, one v2.7.0 failing only $lookup.
    for (let i = 0; i < 2; i++) expect((await beacon(asInstance(v2, {}))).status).toBe(201);
    expect((await beacon(v1)).status).toBe(201);
    const lookupOnly = { OP_MSG: { aggregate: { "$lookup (stage)": { NotImplemented: 7 } } } };
    expect((await beacon(asInstance(v2, { command_metrics: lookupOnly }))).status).toBe(201);

    // Nothing before the cron: stats read rollups only.
    const empty = (await (await admin(`/v1/admin/stats/commands?${range}`)).json()) as CommandStats;
    expect(empty.rows).toEqual([]);
    await cron(Date.now());

    const failures = (await (await admin(`/v1/admin/stats/commands?${range}`)).json()) as CommandStats;
    expect(failures).toMatchObject({ product: "ferretdb", from: today, to: today, days: [today], result: null });
    expect(failures.rows.every((r) => r.result !== "ok")).toBe(true);
    expect(failures.rows[0]).toEqual({
      version: "v2.7.0",
      command: "aggregate",
      argument: "$lookup (stage)",
      result: "NotImplemented",
      installation_days: 3,
      count: 3 + 3 + 7,
    });
    expect(failures.rows).toContainEqual({
      version: "v1.24.2",
      command: "find",
      argument: "collation",
      result: "NotImplemented",
      installation_days: 1,
      count: 4,
    });

    const notImplemented = (await (
      await admin(`/v1/admin/stats/commands?${range}&result=NotImplemented&version=v2.7.0`)
    ).json()) as CommandStats;
    expect(notImplemented.rows.map((r) => [r.command, r.argument, r.installation_days])).toEqual([
      ["aggregate", "$lookup (stage)", 3],
      ["update", "$set", 2],
    ]);
    // The dashboard's version filter is the same parameter; licence type and country are not in
    // rollup_commands: with them the rows come from the raw pings of the slice.
    expect(notImplemented.filters).toEqual({ version: "v2.7.0" });
    expect(notImplemented.not_filtered).toEqual([]);
    expect(
      ((await (await admin(`/v1/admin/stats/commands?${range}&version=v0.0.1`)).json()) as CommandStats).rows,
    ).toEqual([]);
    const get = async (q: string) =>
      (await (await admin(`/v1/admin/stats/commands?${range}${q}`)).json()) as CommandStats;
    // These beacons came with no country: every one is in the unknown ('') slice, none in DE.
    const unknown = await get("&country=");
    expect(unknown.rows).toEqual(failures.rows); // the raw slice counts as the rollup does
    expect([unknown.not_filtered, unknown.raw_missing_days]).toEqual([[], []]);
    expect((await get("&country=DE")).rows).toEqual([]);
    expect((await get("&country=&version=v2.7.0&result=NotImplemented")).rows).toEqual(notImplemented.rows);
    expect((await get("&license_type=EE")).rows).toEqual([]);
    const ok = (await (
      await admin(`/v1/admin/stats/commands?${range}&result=ok&version=v2.7.0`)
    ).json()) as CommandStats;
    expect(ok.rows.find((r) => r.command === "hello")).toMatchObject({ installation_days: 2, count: 2 * 8639 });
    // The raw export carries the folded command_metrics too.
    const csv = await (await admin(`/v1/admin/export/pings.csv?product=ferretdb&${range}`)).text();
    expect(csv.split("\r\n")[0]).toMatch(/,commands$/);
    expect(csv).toContain('""$lookup (stage)"",""NotImplemented"",7');
  });

  it("counts Firefly's unattributed facts apart from installations in the facts stats", async () => {
    expect(
      (await call("/submit", { method: "POST", headers: { "content-type": "application/json" }, body: batch527 }))
        .status,
    ).toBe(200);
    await cron(Date.now());
    const stats = (await (await admin(`/v1/admin/stats/facts?product=firefly-iii&${range}`)).json()) as FactStats;
    expect(stats.facts).toEqual([]); // no installation
    expect(stats.unattributed).toContainEqual({ key: "system.database.driver", value: "pgsql", facts: [1] });
    expect(stats.unattributed).toHaveLength(9);
  });

  it("needs the admin token and validates its query", async () => {
    expect((await call(`/v1/admin/stats/commands?${range}`)).status).toBe(401);
    const bad = await admin(`/v1/admin/stats/commands?from=2026-13-01`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_query");
  });
});
