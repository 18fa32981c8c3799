import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ActiveStats, DistributionStats, PlatformStats, VersionStats } from "../../schema";
import { admin, adminJson, errorCode } from "./helpers";
import { adminWithVars, cron, D, D1, D2, insertPings, NOW } from "./statsSeed";

/**
 * The breakdown filters (?version=&license_type=&country=), answered from rollup_cube. Product
 * "cube": four installations over three days; F changes licence and country within D1 (its last
 * ping of the day counts), G has no country (filtered as '').
 */
const ID = (n: number) => `f0000000-0000-4000-8000-00000000000${n}`;
const range = `product=cube&from=${D2}&to=${D}`;

beforeAll(async () => {
  const base = { product: "cube", os: ["Linux", "x64"] as [string, string], env: { nodejs: "v22.0.0" } };
  const g = {
    ...base,
    version: "1.0.0",
    license: "CE",
    os: ["Darwin", "arm64"] as [string, string],
    env: { nodejs: "v24.0.0" },
  };
  await insertPings([
    // E: CE in DE, every day; 1.0.0 then 1.1.0.
    { ...base, id: ID(1), day: D2, version: "1.0.0", license: "CE", country: "DE" },
    { ...base, id: ID(1), day: D1, version: "1.1.0", license: "CE", country: "DE" },
    { ...base, id: ID(1), day: D, version: "1.1.0", license: "CE", country: "DE" },
    // F: on D1 first CE/US, then EE/DE (the last ping of the day wins); EE/DE on D.
    { ...base, id: ID(2), day: D2, version: "1.0.0", license: "CE", country: "US" },
    { ...base, id: ID(2), day: D1, hour: 8, version: "1.0.0", license: "CE", country: "US" },
    { ...base, id: ID(2), day: D1, hour: 20, version: "1.1.0", license: "EE", country: "DE" },
    { ...base, id: ID(2), day: D, version: "1.1.0", license: "EE", country: "DE" },
    // G: CE, no country, on D1 and D; another Node.js.
    ...[D1, D].map((day) => ({ ...g, id: ID(3), day })),
    // H: EE in US on D2 only.
    { ...base, id: ID(4), day: D2, version: "1.0.0", license: "EE", country: "US", counts: { users: 4 } },
  ]);
  await cron(NOW);
});

describe("breakdown filters (rollup_cube)", () => {
  it("the cube holds one row per combination, each installation by its last ping of the day", async () => {
    const { results } = await env.DB.prepare(
      "SELECT version, license_type, country, installations FROM rollup_cube WHERE product = 'cube' AND day = ? ORDER BY 1, 2, 3",
    )
      .bind(D1)
      .all();
    expect(results).toEqual([
      { version: "1.0.0", license_type: "CE", country: "", installations: 1 },
      { version: "1.1.0", license_type: "CE", country: "DE", installations: 1 },
      { version: "1.1.0", license_type: "EE", country: "DE", installations: 1 },
    ]);
  });

  it("active: active-1 and active-7/30 filtered per day; pings null and named in not_filtered", async () => {
    const all = await adminJson<ActiveStats>(`/v1/admin/stats/active?${range}`);
    expect(all.active1).toEqual([3, 3, 3]);
    expect(all.not_filtered).toEqual([]);
    const de = await adminJson<ActiveStats>(`/v1/admin/stats/active?${range}&country=DE`);
    expect(de.filters).toEqual({ country: "DE" });
    expect(de.active1).toEqual([1, 2, 2]);
    // F is in the DE slice from D1 on (its last ping of D1); E every day.
    expect([de.active7, de.active30, de.pings]).toEqual([
      [1, 2, 2],
      [1, 2, 2],
      [null, null, null],
    ]);
    expect(de.not_filtered).toEqual(["pings"]);
    expect(de.raw_missing_days).toEqual([]);
    // Filters AND; '' selects "unknown".
    const ceDe = await adminJson<ActiveStats>(`/v1/admin/stats/active?${range}&country=DE&license_type=CE`);
    expect(ceDe.active1).toEqual([1, 1, 1]);
    const unknown = await adminJson<ActiveStats>(`/v1/admin/stats/active?${range}&country=`);
    expect(unknown.filters).toEqual({ country: "" });
    expect(unknown.active1).toEqual([0, 1, 1]);
  });

  it("versions: filtered adoption, the same as from raw pings filtered by each day's last ping", async () => {
    const q = `${range}&license_type=EE`;
    const v = await adminJson<VersionStats>(`/v1/admin/stats/versions?${q}`);
    expect(v.versions).toEqual([
      { version: "1.1.0", installations: [0, 1, 1] },
      { version: "1.0.0", installations: [1, 0, 0] },
    ]);
    expect(v.total).toEqual([1, 1, 1]);
    const res = await adminWithVars(`/v1/admin/stats/versions?${q}&source=raw`, { STATS_RAW_COMPARE: "true" });
    expect(res.status).toBe(200);
    expect({ ...((await res.json()) as VersionStats), source: "rollup" }).toEqual(v);
  });

  it("distributions: distinct installations on as_of under the filter; runtimes too (from raw pings of the slice)", async () => {
    const all = await adminJson<DistributionStats>(`/v1/admin/stats/distributions?${range}`);
    expect(all.as_of).toBe(D);
    expect(all.country.map((s) => [s.value, s.installations])).toEqual([
      ["DE", 2],
      ["", 1],
      ["US", 0], // seen in the range, not on as_of
    ]);
    expect(all.runtime.nodejs?.map((r) => [r.value, r.installations, r.installation_days])).toEqual([
      ["v22.0.0", 2, 7],
      ["v24.0.0", 1, 2],
    ]);
    const ce = await adminJson<DistributionStats>(`/v1/admin/stats/distributions?${range}&license_type=CE`);
    expect([ce.installations, ce.installation_days]).toEqual([2, 6]);
    expect(ce.license).toEqual([{ value: "CE", installations: 2, share: 1, installation_days: 6 }]);
    expect(ce.country.map((s) => [s.value, s.installations, s.installation_days])).toEqual([
      ["DE", 1, 3],
      ["", 1, 2],
      ["US", 0, 1],
    ]);
    expect(ce.os.map((s) => [s.value, s.installations])).toEqual([
      ["Linux/x64", 1],
      ["Darwin/arm64", 1],
    ]);
    // CE on as_of: E (v22) and G (v24); over the range E 3 days, F on D2 (CE until its D1 switch), G 2 days.
    expect(ce.runtime.nodejs?.map((r) => [r.value, r.installations, r.share, r.installation_days]).sort()).toEqual([
      ["v22.0.0", 1, 0.5, 4],
      ["v24.0.0", 1, 0.5, 2],
    ]);
    expect(ce.not_filtered).toEqual([]);
    expect(ce.raw_missing_days).toEqual([]);
  });

  it("platform figures are filtered (from raw pings of the slice; statsFiltersPing.test.ts checks them in depth)", async () => {
    const p = await adminJson<PlatformStats>(`/v1/admin/stats/platform?${range}&version=1.0.0`);
    expect(p.filters).toEqual({ version: "1.0.0" });
    expect(p.not_filtered).toEqual([]);
    expect(p.counts).toEqual([
      { key: "users", reporting: [1, 0, 0], sum: [4, 0, 0], median: [4, null, null], p90: [4, null, null] },
    ]);
    const ce = await adminJson<PlatformStats>(`/v1/admin/stats/platform?${range}&license_type=CE`);
    expect(ce.counts).toEqual([]);
  });

  it("a filter value over 100 characters is 400 invalid_query at its path", async () => {
    const res = await admin(`/v1/admin/stats/distributions?${range}&country=${"x".repeat(101)}`);
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalid_query");
  });
});
