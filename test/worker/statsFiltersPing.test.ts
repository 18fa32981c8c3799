import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExceptionGroupStats, ExceptionStats } from "../../schema";
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

async function insertReports(): Promise<void> {
  const at = (day: string, hour: number) => Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00Z`);
  const stmts = reports.map((e, i) =>
    env.DB.prepare(
      `INSERT INTO exceptions (id, instance_id, product, fingerprint, type, message, version, handled, collected_at, received_at, day)
        VALUES (?, ?, ?, ?, 'Error', 'boom', ?, ?, ?, ?, ?)`,
    ).bind(
      `x-${i}`,
      e.id,
      e.id === null ? PRODUCT : null,
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

beforeAll(async () => {
  // Every installation exists (some only report exceptions); INSERT OR IGNORE leaves those that pinged.
  await env.DB.batch(
    ids.map((id) =>
      env.DB.prepare(
        "INSERT OR IGNORE INTO instances (id, product, first_seen, last_seen, ping_count) VALUES (?, ?, 0, 0, 0)",
      ).bind(id, PRODUCT),
    ),
  );
  await insertPings(
    pings.map((p) => ({
      id: p.id,
      day: p.day,
      hour: p.hour,
      product: PRODUCT,
      version: p.version,
      ...(p.license === null ? {} : { license: p.license }),
      ...(p.country === null ? {} : { country: p.country }),
    })),
  );
  await insertReports();
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

  it("an erased installation leaves every filtered figure once the days are rebuilt", async () => {
    const gone = ids.find((id) => reports.some((e) => e.id === id && sliceOf(id, e.day, new Set())))!;
    expect((await admin(`/v1/admin/instances/${gone}`, { method: "DELETE" })).status).toBe(204);
    await cron(NOW);
    const erased = new Set([gone]);
    for (const f of FILTERS) {
      const e = await adminJson<ExceptionStats>(`/v1/admin/stats/exceptions?${range}${qs(f)}`);
      expect(
        e.groups.map((g) => [g.fingerprint, g.occurrences, g.installation_days]),
        JSON.stringify(f),
      ).toEqual(expectedGroups(f, erased).map((g) => [g.fingerprint, g.occurrences, g.installation_days]));
      const g = await adminJson<ExceptionGroupStats>(`/v1/admin/stats/exceptions/fpB?${range}${qs(f)}`);
      const want = expectedGroup("fpB", f, erased);
      expect([g.occurrences, g.installations, g.affected.installations]).toEqual([
        want.occurrences,
        want.installations,
        want.affected,
      ]);
    }
  });
});
