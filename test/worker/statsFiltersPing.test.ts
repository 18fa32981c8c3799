import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExceptionGroupStats, ExceptionStats, PlatformStats } from "../../schema";
import { admin, adminJson, prng } from "./helpers";
import { cron, D, D1, D2, insertPings, NOW } from "./statsSeed";

/**
 * The breakdown filters on ping-derived figures beyond the cube (exceptions, ...), checked against
 * an independent computation over a seeded random data set (product "slices"): each installation
 * pings 0-3 times a day with a random version, licence type and country (null = unknown) and may
 * move between slices within a day; exceptions come from installations (also on days they did not
 * ping) and from Sentry without one. The model below puts an installation on day d in the slice
 * of its last ping of d, by hand, from the seeded rows.
 */
const PRODUCT = "slices";
const DAYS = [D2, D1, D];
const range = `product=${PRODUCT}&from=${D2}&to=${D}`;
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

interface ModelPing {
  id: string;
  day: string;
  hour: number;
  version: string | null;
  license: string | null;
  country: string | null;
  counts?: Record<string, number>;
  config?: Record<string, unknown>;
}
interface ModelException {
  id: string | null;
  fp: string;
  version: string;
  day: string;
  hour: number;
  crash: boolean;
}
interface Filter {
  version?: string;
  license_type?: string;
  country?: string;
}

const r = prng(1313);
const ids = Array.from({ length: 14 }, (_, i) => `5a000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const pings: ModelPing[] = [];
const reports: ModelException[] = [];
for (const id of ids) {
  for (const day of DAYS) {
    const n = Math.floor(r() * 4);
    const hours = [6, 12, 18].slice(0, n);
    for (const hour of hours) {
      pings.push({
        id,
        day,
        hour,
        version: pick(r, ["1.0.0", "1.1.0", null] as const),
        license: pick(r, ["CE", "EE", null] as const),
        country: pick(r, ["DE", "US", null] as const),
      });
    }
    for (let k = Math.floor(r() * 3); k > 0; k--) {
      reports.push({
        id,
        fp: pick(r, ["fpA", "fpB", "fpC"]),
        version: pick(r, ["1.0.0", "1.1.0"]),
        day,
        hour: 7 + k,
        crash: false,
      });
    }
  }
}
// platform.counts and config flags of each ping (their own generator: the data set above stays as it is).
const r2 = prng(77);
for (const p of pings) {
  if (r2() < 0.8)
    p.counts = { users: Math.floor(r2() * 20), ...(r2() < 0.5 ? { flows: Math.floor(r2() * 7) + 0.5 } : {}) };
  if (r2() < 0.8) p.config = { ha: r2() < 0.4, features: { comms: r2() < 0.6 }, name: "x" };
}
// Sentry reports: no installation, out of every licence/country slice.
for (const day of DAYS) reports.push({ id: null, fp: "fpA", version: "1.0.0", day, hour: 9, crash: true });

/** The installation's slice on `day`: its last ping of the day, or undefined when it did not ping. */
function sliceOf(id: string, day: string, erased: Set<string>): ModelPing | undefined {
  if (erased.has(id)) return undefined;
  return pings.filter((p) => p.id === id && p.day === day).sort((a, b) => b.hour - a.hour)[0];
}

/** The reports in the filter's slice (version: the report's; licence/country: the installation's last ping of the day). */
function reportsIn(f: Filter, erased: Set<string>): ModelException[] {
  return reports.filter((e) => {
    if (e.id !== null && erased.has(e.id)) return false;
    if (f.version !== undefined && e.version !== f.version) return false;
    if (f.license_type === undefined && f.country === undefined) return true;
    const s = e.id === null ? undefined : sliceOf(e.id, e.day, erased);
    if (!s) return false;
    if (f.license_type !== undefined && (s.license ?? "") !== f.license_type) return false;
    if (f.country !== undefined && (s.country ?? "") !== f.country) return false;
    return true;
  });
}

function expectedGroups(f: Filter, erased = new Set<string>()) {
  const list = reportsIn(f, erased);
  const fps = [...new Set(list.map((e) => e.fp))];
  return fps
    .map((fp) => {
      const of = list.filter((e) => e.fp === fp);
      const installationDays = new Set(of.filter((e) => e.id !== null).map((e) => `${e.id}/${e.day}`)).size;
      return {
        fingerprint: fp,
        occurrences: of.length,
        crashes: of.filter((e) => e.crash).length,
        installation_days: installationDays,
        versions: [...new Set(of.map((e) => e.version))].sort().reverse(),
      };
    })
    .sort((a, b) => b.occurrences - a.occurrences || a.fingerprint.localeCompare(b.fingerprint));
}

function expectedGroup(fp: string, f: Filter, erased = new Set<string>()) {
  const of = reportsIn(f, erased).filter((e) => e.fp === fp);
  return {
    occurrences: DAYS.map((d) => of.filter((e) => e.day === d).length),
    installations: DAYS.map((d) => new Set(of.filter((e) => e.day === d && e.id !== null).map((e) => e.id)).size),
    versions: [...new Set(of.map((e) => e.version))]
      .sort()
      .reverse()
      .map((version) => ({ version, occurrences: of.filter((e) => e.version === version).length })),
    affected: new Set(of.filter((e) => e.id !== null).map((e) => e.id)).size,
  };
}

/** The installations in the filter's slice on `day`, each by its last ping of the day. */
function sliceOfDay(day: string, f: Filter, erased: Set<string>): ModelPing[] {
  return ids
    .map((id) => sliceOf(id, day, erased))
    .filter((p): p is ModelPing => p !== undefined)
    .filter(
      (p) =>
        (f.version === undefined || (p.version ?? "") === f.version) &&
        (f.license_type === undefined || (p.license ?? "") === f.license_type) &&
        (f.country === undefined || (p.country ?? "") === f.country),
    );
}

/** platform.counts (median: mean of the two middle values; p90: nearest rank) and flags, by hand. */
function expectedPlatform(f: Filter, erased = new Set<string>()) {
  const perDay = DAYS.map((d) => sliceOfDay(d, f, erased));
  const countKeys = [...new Set(pings.flatMap((p) => Object.keys(p.counts ?? {})))].sort();
  const counts = countKeys
    .map((key) => {
      const values = perDay.map((list) =>
        list.flatMap((p) => (p.counts?.[key] === undefined ? [] : [p.counts[key]])).sort((a, b) => a - b),
      );
      return {
        key,
        reporting: values.map((v) => v.length),
        sum: values.map((v) => v.reduce((a, b) => a + b, 0)),
        median: values.map((v) =>
          v.length === 0 ? null : (v[Math.ceil(v.length / 2) - 1]! + v[Math.floor(v.length / 2)]!) / 2,
        ),
        p90: values.map((v) => (v.length === 0 ? null : v[Math.ceil(0.9 * v.length) - 1]!)),
      };
    })
    .filter((c) => c.reporting.some((n) => n > 0));
  const flagOf = (p: ModelPing, key: string): boolean | undefined => {
    const c = p.config as { ha?: boolean; features?: { comms?: boolean } } | undefined;
    return key === "ha" ? c?.ha : c?.features?.comms;
  };
  const flags = ["features.comms", "ha"]
    .map((key) => {
      const reporting = perDay.map((list) => list.filter((p) => flagOf(p, key) !== undefined).length);
      const on = perDay.map((list) => list.filter((p) => flagOf(p, key) === true).length);
      const total = reporting.reduce((a, b) => a + b, 0);
      const totalOn = on.reduce((a, b) => a + b, 0);
      return {
        key,
        reporting: total,
        on: totalOn,
        share: total > 0 ? totalOn / total : 0,
        share_by_day: reporting.map((n, i) => (n > 0 ? on[i]! / n : null)),
      };
    })
    .filter((x) => x.reporting > 0);
  return { counts, flags };
}

const FILTERS: Filter[] = [
  {},
  { version: "1.0.0" },
  { license_type: "CE" },
  { license_type: "" },
  { country: "DE" },
  { country: "" },
  { license_type: "EE", country: "US" },
  { version: "1.1.0", license_type: "CE" },
  { version: "1.0.0", license_type: "", country: "US" },
];
const qs = (f: Filter) =>
  Object.entries(f)
    .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`)
    .join("");

/** The same data set under another product (its own installation ids): the erasure test's, so no other test sees an erase. */
const ERASE_PRODUCT = "slices-erase";
const idOf = (product: string, id: string) => (product === PRODUCT ? id : id.replace(/^5a/, "5b"));

async function insertReports(product: string): Promise<void> {
  const at = (day: string, hour: number) => Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00Z`);
  const stmts = reports.map((e, i) =>
    env.DB.prepare(
      `INSERT INTO exceptions (id, instance_id, product, fingerprint, type, message, version, handled, collected_at, received_at, day)
        VALUES (?, ?, ?, ?, 'Error', 'boom', ?, ?, ?, ?, ?)`,
    ).bind(
      `x-${product}-${i}`,
      e.id === null ? null : idOf(product, e.id),
      e.id === null ? product : null,
      e.fp,
      e.version,
      e.crash ? 0 : null,
      at(e.day, e.hour),
      at(e.day, e.hour) + i,
      e.day,
    ),
  );
  await env.DB.batch(stmts);
}

async function seedProduct(product: string): Promise<void> {
  // Every installation exists (some only report exceptions); INSERT OR IGNORE leaves those that pinged.
  await env.DB.batch(
    ids.map((id) =>
      env.DB.prepare(
        "INSERT OR IGNORE INTO instances (id, product, first_seen, last_seen, ping_count) VALUES (?, ?, 0, 0, 0)",
      ).bind(idOf(product, id), product),
    ),
  );
  await insertPings(
    pings.map((p) => ({
      id: idOf(product, p.id),
      day: p.day,
      hour: p.hour,
      product,
      version: p.version,
      ...(p.license === null ? {} : { license: p.license }),
      ...(p.country === null ? {} : { country: p.country }),
      ...(p.counts ? { counts: p.counts } : {}),
      ...(p.config ? { config: p.config } : {}),
    })),
  );
  await insertReports(product);
}

beforeAll(async () => {
  await seedProduct(PRODUCT);
  await seedProduct(ERASE_PRODUCT);
  await cron(NOW);
});

describe("exceptions under the breakdown filters", () => {
  it("the data set has what the cases need: slice moves within a day, reports without a ping that day, unknown values", () => {
    const moves = ids.some((id) =>
      DAYS.some((d) => {
        const of = pings.filter((p) => p.id === id && p.day === d);
        return new Set(of.map((p) => `${p.license}/${p.country}`)).size > 1;
      }),
    );
    expect(moves).toBe(true);
    expect(reports.some((e) => e.id !== null && !sliceOf(e.id, e.day, new Set()))).toBe(true);
    expect(pings.some((p) => p.country === null) && pings.some((p) => p.license === null)).toBe(true);
    // Each filter selects a proper, non-empty part.
    for (const f of FILTERS.slice(1)) {
      const some = expectedGroups(f);
      expect(some.length, JSON.stringify(f)).toBeGreaterThan(0);
      expect(some, JSON.stringify(f)).not.toEqual(expectedGroups({}));
    }
  });

  it("the groups list equals the independent computation under every filter", async () => {
    for (const f of FILTERS) {
      const e = await adminJson<ExceptionStats>(`/v1/admin/stats/exceptions?${range}${qs(f)}`);
      expect(e.not_filtered, JSON.stringify(f)).toEqual([]);
      expect(
        e.groups.map((g) => ({
          fingerprint: g.fingerprint,
          occurrences: g.occurrences,
          crashes: g.crashes,
          installation_days: g.installation_days,
          versions: g.versions,
        })),
        JSON.stringify(f),
      ).toEqual(expectedGroups(f));
    }
  });

  it("the group page (trend, versions, affected) equals the independent computation under every filter", async () => {
    for (const fp of ["fpA", "fpB", "fpC"]) {
      for (const f of FILTERS) {
        const g = await adminJson<ExceptionGroupStats>(`/v1/admin/stats/exceptions/${fp}?${range}${qs(f)}`);
        const want = expectedGroup(fp, f);
        expect(g.not_filtered).toEqual([]);
        expect(
          {
            occurrences: g.occurrences,
            installations: g.installations,
            versions: g.versions,
            affected: g.affected.installations,
          },
          `${fp} ${JSON.stringify(f)}`,
        ).toEqual(want);
      }
    }
  });
});

describe("platform counts and config flags under the breakdown filters", () => {
  it("equal the independent computation under every filter (unfiltered: the rollups)", async () => {
    for (const f of FILTERS) {
      const p = await adminJson<PlatformStats>(`/v1/admin/stats/platform?${range}${qs(f)}`);
      expect(p.not_filtered, JSON.stringify(f)).toEqual([]);
      expect(p.raw_missing_days).toEqual([]);
      const want = expectedPlatform(f);
      expect(p.counts, JSON.stringify(f)).toEqual(want.counts);
      expect(p.flags, JSON.stringify(f)).toEqual(want.flags);
    }
    // The filters select proper parts.
    expect(expectedPlatform({ country: "DE" })).not.toEqual(expectedPlatform({}));
  });

  it("days whose raw pings expired are named, not answered as zero silently", async () => {
    // A rollup day with no raw ping left (as after RETENTION_DAYS): rollup_active has it, pings do not.
    const old = "2026-09-01";
    await env.DB.prepare(
      "INSERT INTO rollup_active (product, day, active1, active7, active30, pings) VALUES (?, ?, 3, 3, 3, 3)",
    )
      .bind(PRODUCT, old)
      .run();
    try {
      const p = await adminJson<PlatformStats>(
        `/v1/admin/stats/platform?product=${PRODUCT}&from=${old}&to=${D}&country=DE`,
      );
      expect(p.raw_missing_days).toEqual([old]);
      const all = await adminJson<PlatformStats>(`/v1/admin/stats/platform?product=${PRODUCT}&from=${old}&to=${D}`);
      expect(all.raw_missing_days).toEqual([]);
    } finally {
      await env.DB.prepare("DELETE FROM rollup_active WHERE product = ? AND day = ?").bind(PRODUCT, old).run();
    }
  });
});

describe("erasure under the breakdown filters", () => {
  const eraseRange = `product=${ERASE_PRODUCT}&from=${D2}&to=${D}`;
  it("an erased installation leaves every filtered figure once the days are rebuilt", async () => {
    const gone = ids.find((id) => reports.some((e) => e.id === id && sliceOf(id, e.day, new Set())))!;
    expect((await admin(`/v1/admin/instances/${idOf(ERASE_PRODUCT, gone)}`, { method: "DELETE" })).status).toBe(204);
    // Request-time figures (platform) drop it at once; rollups once the days are rebuilt.
    for (const f of FILTERS.slice(1)) {
      const p = await adminJson<PlatformStats>(`/v1/admin/stats/platform?${eraseRange}${qs(f)}`);
      const want = expectedPlatform(f, new Set([gone]));
      expect([p.counts, p.flags], JSON.stringify(f)).toEqual([want.counts, want.flags]);
    }
    await cron(NOW);
    const erased = new Set([gone]);
    for (const f of FILTERS) {
      const e = await adminJson<ExceptionStats>(`/v1/admin/stats/exceptions?${eraseRange}${qs(f)}`);
      expect(
        e.groups.map((g) => [g.fingerprint, g.occurrences, g.installation_days]),
        JSON.stringify(f),
      ).toEqual(expectedGroups(f, erased).map((g) => [g.fingerprint, g.occurrences, g.installation_days]));
      const g = await adminJson<ExceptionGroupStats>(`/v1/admin/stats/exceptions/fpB?${eraseRange}${qs(f)}`);
      const want = expectedGroup("fpB", f, erased);
      expect([g.occurrences, g.installations, g.affected.installations]).toEqual([
        want.occurrences,
        want.installations,
        want.affected,
      ]);
    }
  });
});
