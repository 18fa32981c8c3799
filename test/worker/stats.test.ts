import { beforeAll, describe, expect, it } from "vitest";
import type {
  ActiveStats,
  DistributionStats,
  ExceptionGroupStats,
  ExceptionStats,
  FactStats,
  FrontendStats,
  PlatformStats,
  ProductList,
  VersionStats,
} from "../../schema";
import { admin, call, errorCode } from "./helpers";
import { adminWithVars, cron, D, D1, D2, ID, NOW, seed } from "./statsSeed";

const range = `product=acme&from=${D2}&to=${D}`;
async function get<T>(path: string): Promise<T> {
  const res = await admin(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  await seed();
  await cron(NOW);
});

describe("stats API (answers from rollups built by scheduled())", () => {
  it("active installations per day, in 7 and in 30 days", async () => {
    const a = await get<ActiveStats>(`/v1/admin/stats/active?${range}`);
    expect(a.days).toEqual([D2, D1, D]);
    expect(a.active1).toEqual([2, 3, 2]);
    expect(a.active7).toEqual([2, 3, 3]);
    expect(a.active30).toEqual([3, 4, 4]);
    expect(a.pings).toEqual([2, 4, 2]);
  });

  it("installations per version per day and the share on the latest release", async () => {
    const v = await get<VersionStats>(`/v1/admin/stats/versions?${range}`);
    expect(v.latest).toBe("1.1.0");
    expect(v.versions).toEqual([
      { version: "1.1.0", installations: [0, 2, 2] },
      { version: "1.0.0", installations: [2, 1, 0] },
    ]);
    expect(v.total).toEqual([2, 3, 2]);
    expect(v.share_latest).toEqual([0, 2 / 3, 1]);
    // Two versions fit the top 8: nothing summed into other; upgrade lag from each first day.
    expect(v.top).toEqual(v.versions);
    expect(v.other).toEqual([0, 0, 0]);
    expect(v.other_versions).toBe(0);
    expect(v.upgrade_lag).toEqual([
      { version: "1.1.0", first_seen: D1, days_to_50: 0, days_to_80: 1 },
      { version: "1.0.0", first_seen: D2, days_to_50: 0, days_to_80: 0 },
    ]);
  });

  it("source=raw (STATS_RAW_COMPARE=true) computes the same answer from raw pings", async () => {
    const rollup = await get<VersionStats>(`/v1/admin/stats/versions?product=acme&from=2026-09-01&to=${D}`);
    const res = await adminWithVars(`/v1/admin/stats/versions?product=acme&from=2026-09-01&to=${D}&source=raw`, {
      STATS_RAW_COMPARE: "true",
    });
    expect(res.status).toBe(200);
    const raw = (await res.json()) as VersionStats;
    expect(raw.source).toBe("raw");
    expect({ ...raw, source: "rollup" }).toEqual(rollup);
    expect(rollup.versions.map((x) => x.version)).toEqual(["1.1.0", "1.0.0", "0.9.0"]);
  });

  it("distributions: distinct installations on the range's last day, installation-days over the range", async () => {
    const d = await get<DistributionStats>(`/v1/admin/stats/distributions?${range}`);
    expect([d.as_of, d.installations, d.installation_days]).toEqual([D, 2, 7]);
    expect(d.filters).toEqual({});
    expect(d.not_filtered).toEqual([]);
    expect(d.os_type).toEqual([
      { value: "Linux", installations: 1, share: 1 / 2, installation_days: 5 },
      { value: "Darwin", installations: 1, share: 1 / 2, installation_days: 2 },
    ]);
    const days = (list: DistributionStats["os"]) =>
      list.map((s) => [s.value, s.installation_days]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(days(d.os_arch)).toEqual([
      ["arm64", 4],
      ["x64", 3],
    ]);
    expect(days(d.os)).toEqual([
      ["Darwin/arm64", 2],
      ["Linux/arm64", 2],
      ["Linux/x64", 3],
    ]);
    expect(days(d.license)).toEqual([
      ["", 2],
      ["CE", 3],
      ["EE", 2],
    ]);
    expect(days(d.country)).toEqual([
      ["", 2],
      ["DE", 2],
      ["US", 3],
    ]);
    // Every share list sums to the installations of as_of.
    for (const list of [d.os_type, d.os_arch, d.os, d.license, d.country]) {
      expect(list.reduce((n, s) => n + s.installations, 0)).toBe(d.installations);
    }
    // The product's own env key (acme) is its version, not a runtime.
    expect(Object.keys(d.runtime)).toEqual(["nodejs"]);
    expect(days(d.runtime.nodejs!)).toEqual([
      ["v18.19.0", 1],
      ["v20.11.0", 2],
    ]);
  });

  it("platform.counts: reporting, sum, median, p90 of each installation's last ping of the day", async () => {
    const p = await get<PlatformStats>(`/v1/admin/stats/platform?${range}`);
    expect(p.counts).toEqual([
      { key: "flows", reporting: [0, 2, 0], sum: [0, 8, 0], median: [null, 4, null], p90: [null, 5, null] },
      { key: "users", reporting: [0, 3, 0], sum: [0, 42, 0], median: [null, 10, null], p90: [null, 30, null] },
    ]);
    expect(p.flags).toEqual([
      { key: "features.projectComms", reporting: 2, on: 1, share: 0.5, share_by_day: [null, 0.5, null] },
      { key: "features.teamBroker", reporting: 1, on: 0, share: 0, share_by_day: [null, 0, null] },
      { key: "ha", reporting: 2, on: 1, share: 0.5, share_by_day: [null, 0.5, null] },
    ]);
  });

  it("feature facts: active installations by the latest value of each key", async () => {
    const f = await get<FactStats>(`/v1/admin/stats/facts?${range}`);
    expect(f.facts).toEqual([
      { key: "ui.theme", value: "dark", installations: [2, 1, 1] },
      { key: "ui.theme", value: "light", installations: [0, 1, 1] },
    ]);
  });

  it("one exception group: trend, versions, affected installations, new in the latest release", async () => {
    const g = await get<ExceptionGroupStats>(`/v1/admin/stats/exceptions/fp1?${range}`);
    expect(g).toMatchObject({
      fingerprint: "fp1",
      type: "TypeError",
      message: "y is undefined",
      occurrences: [0, 3, 1],
      installations: [0, 2, 1],
      versions: [
        { version: "1.1.0", occurrences: 3 },
        { version: "1.0.0", occurrences: 1 },
      ],
      affected: { installations: 2, ids: [ID.A, ID.B] },
      first_seen: `${D1}T09:00:00.000Z`,
      last_seen: `${D}T07:00:00.000Z`,
      latest: "1.1.0",
      new_in_latest: false, // 1.0.0 reported it too
      new_in: null,
    });
    const fresh = await get<ExceptionGroupStats>(`/v1/admin/stats/exceptions/fp2?${range}`);
    expect(fresh.new_in_latest).toBe(true);
    expect(fresh.new_in).toBe(null);
    expect(fresh.affected).toEqual({ installations: 1, ids: [ID.C] });
    const unknown = await admin(`/v1/admin/stats/exceptions/nope?${range}`);
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe("not_found");
    expect(await errorCode(await admin(`/v1/admin/stats/exceptions/${"f".repeat(129)}?${range}`))).toBe(
      "invalid_field",
    );
  });

  it("exception groups with counts, versions, first and last seen", async () => {
    const e = await get<ExceptionStats>(`/v1/admin/stats/exceptions?${range}`);
    expect(e.groups).toEqual([
      {
        fingerprint: "fp1",
        type: "TypeError",
        message: "y is undefined",
        occurrences: 4,
        crashes: 0,
        installation_days: 3,
        versions: ["1.1.0", "1.0.0"],
        first_seen: `${D1}T09:00:00.000Z`,
        last_seen: `${D}T07:00:00.000Z`,
        new_in: null, // first reported on 1.0.0, which was never a release
      },
      {
        fingerprint: "fp2",
        type: "RangeError",
        message: "too deep",
        occurrences: 1,
        crashes: 0,
        installation_days: 1,
        versions: ["1.1.0"],
        first_seen: `${D}T08:00:00.000Z`,
        last_seen: `${D}T08:00:00.000Z`,
        new_in: null, // 1.1.0 is the only release known: nothing older is known to have run without it
      },
    ]);
  });

  it("frontend: pageviews, sessions, pages, entries, exits and median time on page", async () => {
    const f = await get<FrontendStats>(`/v1/admin/stats/frontend?${range}`);
    expect(f.pageviews).toEqual([0, 6, 1]);
    expect(f.sessions).toEqual([0, 3, 1]);
    expect(f.visitors).toEqual([0, 2, 1]);
    expect(f.median_seconds).toBe(15);
    expect(f.top_pages).toEqual([
      { path: "/", pageviews: 3, entries: 3, exits: 2, leaves: 1, median_seconds: 10 },
      { path: "/flows", pageviews: 3, entries: 1, exits: 2, leaves: 2, median_seconds: 25 },
      { path: "/settings", pageviews: 1, entries: 0, exits: 0, leaves: 1, median_seconds: 5 },
    ]);
    expect(f.entry_pages).toEqual([
      { path: "/", entries: 3 },
      { path: "/flows", entries: 1 },
    ]);
    expect(f.exit_pages).toEqual([
      { path: "/", exits: 2 },
      { path: "/flows", exits: 2 },
    ]);
  });

  it("filters by product, and lists products for the switcher", async () => {
    const other = await get<VersionStats>(`/v1/admin/stats/versions?product=other&from=${D2}&to=${D}`);
    expect(other.versions).toEqual([{ version: "7.0.0", installations: [0, 1, 0] }]);
    expect(other.latest).toBeNull();
    expect(other.share_latest).toEqual([null, null, null]);
    const p = await get<ProductList>("/v1/admin/stats/products");
    expect(p.products).toEqual([
      { product: "acme", first_day: "2026-09-20", last_day: D, latest_release: "1.1.0" },
      { product: "other", first_day: D1, last_day: D, latest_release: null },
    ]);
    expect(p.rollups).toEqual({ built_through: D, built_at: new Date(NOW).toISOString() });
  });

  it("days without rollups are zeros, not gaps", async () => {
    const a = await get<ActiveStats>("/v1/admin/stats/active?product=acme&from=2026-01-01&to=2026-01-03");
    expect(a.active1).toEqual([0, 0, 0]);
    expect(a.days).toEqual(["2026-01-01", "2026-01-02", "2026-01-03"]);
  });
});

describe("CSV exports", () => {
  it("streams the range's raw pings as CSV, filtered by product", async () => {
    const res = await admin(`/v1/admin/export/pings.csv?${range}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="pings-${D2}-${D}.csv"`);
    const lines = (await res.text()).split("\r\n").filter((l) => l !== "");
    expect(lines[0]).toBe(
      "uuid,instance_id,product,version,received_at,day,os_type,os_release,os_arch,license_type,country,asn,uptime,env,counts,config,commands",
    );
    expect(lines).toHaveLength(1 + 8);
    expect(lines.slice(1).map((l) => l.split(",")[5])).toEqual([D2, D2, D1, D1, D1, D1, D, D]);
    // JSON cells are quoted, inner quotes doubled (RFC 4180).
    expect(lines.some((l) => l.includes('"{""users"":10,""flows"":3}"'))).toBe(true);
  });

  it("all products when product is omitted", async () => {
    const res = await admin(`/v1/admin/export/pings.csv?from=${D1}&to=${D1}`);
    const lines = (await res.text()).split("\r\n").filter((l) => l !== "");
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",")[2])
        .sort(),
    ).toEqual(["acme", "acme", "acme", "acme", "other"]);
  });

  it("streams events as CSV", async () => {
    const res = await admin(`/v1/admin/export/events.csv?${range}`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).split("\r\n").filter((l) => l !== "");
    expect(lines[0]!.split(",").slice(0, 3)).toEqual(["uuid", "product", "event"]);
    expect(lines).toHaveLength(1 + 12);
    expect(
      lines
        .filter((l) => l.includes(",$pageleave,"))
        .map((l) => l.split(",")[17])
        .sort(),
    ).toEqual(["10000", "20000", "30400", "5000"]);
  });

  it("validates the range like the stats routes", async () => {
    const res = await admin("/v1/admin/export/events.csv?from=2026-13-01");
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalid_query");
  });
});

describe("stats API: auth and validation", () => {
  it("needs the admin token", async () => {
    for (const path of ["/v1/admin/stats/active", "/v1/admin/stats/products", "/v1/admin/export/pings.csv"]) {
      const res = await call(path);
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe("unauthorized");
    }
    const wrong = await call("/v1/admin/stats/active", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  it.each([
    ["from=2026-10-20&to=2026-10-10", "$.from"],
    ["to=2026-02-30", "$.to"],
    ["from=15-10-2026", "$.from"],
    ["product=Not%20A%20Slug", "$.product"],
    ["from=2020-01-01&to=2026-01-01", "$.from"],
  ])("?%s -> 400 invalid_query at %s", async (query, path) => {
    const res = await admin(`/v1/admin/stats/active?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; path: string } };
    expect(body.error).toMatchObject({ code: "invalid_query", path });
  });

  it("rejects an unknown source", async () => {
    const res = await admin("/v1/admin/stats/versions?source=sql");
    expect(res.status).toBe(400);
  });
});
