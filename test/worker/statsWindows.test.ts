import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ActiveStats, FactStats } from "../../schema";
import { adminJson, prng } from "./helpers";
import { cron, D, insertPings, NOW } from "./statsSeed";

/**
 * Active-7/30 and facts under the breakdown filters (the window definition: an installation counts
 * in the N days to d when its last ping of at least one day of them matched), checked against a
 * naive model that loops over days and installations. Seeded random data over 100 days to D:
 * installations with their own ping rates (some with gaps longer than 30 days), slices that move
 * between days and within a day, unknown values, facts whose value changes, facts received late
 * with an older collected_at, ties of collected_at. The cron rolls everything up, then retention
 * (RETENTION_DAYS 90) deletes the raw pings of the oldest days: those days keep their rollups.
 */
const PRODUCT = "windows";
/** The same data under another product, every ping in country NL: `country=NL` matches everything there. */
const ALL_NL = "windows-nl";
const SPAN = 100;
const day = (k: number) => new Date(Date.parse(`${D}T00:00:00Z`) - k * 86_400_000).toISOString().slice(0, 10);
const DATA_DAYS = Array.from({ length: SPAN }, (_, i) => day(SPAN - 1 - i));
/** The main range: 60 days, whose 30-day windows stay within the raw pings retention keeps (day(90) on). */
const FROM = day(59);
const RANGE_DAYS = DATA_DAYS.filter((d) => d >= FROM);
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

interface Ping {
  id: string;
  day: string;
  hour: number;
  version: string | null;
  license: string | null;
  country: string | null;
}
interface Fact {
  fid: string;
  id: string;
  key: string;
  value: string;
  day: string;
  collectedAt: number;
}
interface Filter {
  version?: string;
  license_type?: string;
  country?: string;
}

const r = prng(4242);
const ids = Array.from({ length: 18 }, (_, i) => `7a000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const pings: Ping[] = [];
const facts: Fact[] = [];
const at = (d: string, hour: number) => Date.parse(`${d}T${String(hour).padStart(2, "0")}:00:00Z`);
ids.forEach((id, n) => {
  const rate = [0.9, 0.5, 0.2, 0.06][n % 4]!;
  // Installations 1, 5, 9...: silent for 35-45 days in the middle (gaps past both windows).
  const gapFrom = n % 4 === 1 ? 30 + Math.floor(r() * 10) : SPAN;
  const gapTo = gapFrom + 35 + Math.floor(r() * 10);
  const base = {
    version: pick(r, ["1.0.0", "1.1.0", null] as const),
    license: pick(r, ["CE", "EE", null] as const),
    country: pick(r, ["DE", "US", null] as const),
  };
  DATA_DAYS.forEach((d, i) => {
    if (i >= gapFrom && i < gapTo) return;
    if (r() >= rate) return;
    const count = 1 + Math.floor(r() * 3);
    for (const hour of [4, 11, 19].slice(0, count)) {
      // Mostly the installation's own slice; sometimes another (so it moves between days and within one).
      const moved = r() < 0.3;
      pings.push({
        id,
        day: d,
        hour,
        version: moved ? pick(r, ["1.0.0", "1.1.0", null] as const) : base.version,
        license: moved ? pick(r, ["CE", "EE", null] as const) : base.license,
        country: moved ? pick(r, ["DE", "US", null] as const) : base.country,
      });
    }
  });
  // Facts: a few per key over the span; some received late with an older collected_at.
  for (const key of ["ui.theme", "db"]) {
    const values = key === "db" ? ["sqlite", "postgres"] : ["dark", "light", "auto"];
    for (let k = Math.floor(r() * 5); k > 0; k--) {
      const received = DATA_DAYS[Math.floor(r() * SPAN)]!;
      const late = r() < 0.3 ? Math.floor(r() * 20) : 0;
      facts.push({
        fid: `fact-${String(Math.floor(r() * 1e6)).padStart(7, "0")}-${facts.length}`,
        id,
        key,
        value: pick(r, values),
        day: received,
        collectedAt: at(received, 8) - late * 86_400_000,
      });
    }
  }
});
// A tie on collected_at (the id decides) and a late fact with an older collected_at that must not win.
facts.push({ fid: "fact-tie-a", id: ids[0]!, key: "db", value: "sqlite", day: day(40), collectedAt: at(day(40), 9) });
facts.push({ fid: "fact-tie-b", id: ids[0]!, key: "db", value: "postgres", day: day(38), collectedAt: at(day(40), 9) });
facts.push({ fid: "fact-late", id: ids[0]!, key: "db", value: "sqlite", day: day(20), collectedAt: at(day(45), 9) });

/** The installation's slice on `d`: its last ping of the day, or undefined when it did not ping. */
function sliceOf(id: string, d: string): Ping | undefined {
  return pings.filter((p) => p.id === id && p.day === d).sort((a, b) => b.hour - a.hour)[0];
}
function matches(p: Ping | undefined, f: Filter): boolean {
  return (
    p !== undefined &&
    (f.version === undefined || (p.version ?? "") === f.version) &&
    (f.license_type === undefined || (p.license ?? "") === f.license_type) &&
    (f.country === undefined || (p.country ?? "") === f.country)
  );
}
/** In the slice on a day of the n days to d. */
function inWindow(id: string, d: string, n: number, f: Filter): boolean {
  const i = DATA_DAYS.indexOf(d);
  return DATA_DAYS.slice(Math.max(0, i - n + 1), i + 1).some((x) => matches(sliceOf(id, x), f));
}
function expectedActive(f: Filter, days: string[], n: number): number[] {
  return days.map((d) => ids.filter((id) => inWindow(id, d, n, f)).length);
}
/** The value of `key` an installation holds on d: of its facts received by d, the greatest (collected_at, id). */
function valueOf(id: string, key: string, d: string): string | undefined {
  const got = facts
    .filter((x) => x.id === id && x.key === key && x.day <= d)
    .sort((a, b) => b.collectedAt - a.collectedAt || (a.fid < b.fid ? 1 : -1))[0];
  return got?.value;
}
function expectedFacts(f: Filter, days: string[]) {
  const out = new Map<string, { key: string; value: string; installations: number[] }>();
  days.forEach((d, i) => {
    for (const id of ids) {
      if (!inWindow(id, d, 30, f)) continue;
      for (const key of ["db", "ui.theme"]) {
        const value = valueOf(id, key, d);
        if (value === undefined) continue;
        const k = `${key}\u0000${value}`;
        const row = out.get(k) ?? { key, value, installations: days.map(() => 0) };
        row.installations[i]!++;
        out.set(k, row);
      }
    }
  });
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key) || a.value.localeCompare(b.value));
}

const FILTERS: Filter[] = [
  { country: "DE" },
  { country: "" },
  { license_type: "CE" },
  { license_type: "" },
  { version: "1.1.0" },
  { license_type: "EE", country: "US" },
  { version: "1.0.0", license_type: "CE", country: "DE" },
];
const qs = (f: Filter) =>
  Object.entries(f)
    .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`)
    .join("");
const idIn = (product: string, id: string) => (product === PRODUCT ? id : id.replace(/^7a/, "7b"));

async function seedProduct(product: string): Promise<void> {
  await insertPings(
    pings.map((p) => ({
      id: idIn(product, p.id),
      day: p.day,
      hour: p.hour,
      product,
      version: p.version,
      ...(p.license === null ? {} : { license: p.license }),
      ...(product === ALL_NL ? { country: "NL" } : p.country === null ? {} : { country: p.country }),
    })),
  );
  const stmts = facts
    .filter((x) => pings.some((p) => p.id === x.id))
    .map((x) =>
      env.DB.prepare(
        "INSERT INTO facts (id, instance_id, kind, key, value, collected_at, received_at, day) VALUES (?, ?, 'feature', ?, ?, ?, ?, ?)",
      ).bind(`${product}-${x.fid}`, idIn(product, x.id), x.key, x.value, x.collectedAt, at(x.day, 8), x.day),
    );
  for (let i = 0; i < stmts.length; i += 50) await env.DB.batch(stmts.slice(i, i + 50));
}

beforeAll(async () => {
  await seedProduct(PRODUCT);
  await seedProduct(ALL_NL);
  // The first runs roll up the backlog (31 days each), then retention cuts the raw pings to 90 days.
  for (let i = 0; i < 5; i++) await cron(NOW);
}, 120_000);

const range = `product=${PRODUCT}&from=${FROM}&to=${D}`;

describe("active-7/30 and facts under the breakdown filters (window definition)", () => {
  it("the data set has what the cases need", async () => {
    // Moves within a day and between days; unknown values; gaps longer than 30 days.
    const within = ids.some((id) =>
      DATA_DAYS.some((d) => {
        const of = pings.filter((p) => p.id === id && p.day === d);
        return new Set(of.map((p) => `${p.license}/${p.country}`)).size > 1;
      }),
    );
    expect(within).toBe(true);
    expect(pings.some((p) => p.country === null) && pings.some((p) => p.license === null)).toBe(true);
    const longGap = ids.some((id) => {
      const ds = [...new Set(pings.filter((p) => p.id === id).map((p) => p.day))].sort();
      return ds.some((d, i) => i > 0 && Date.parse(d) - Date.parse(ds[i - 1]!) > 31 * 86_400_000);
    });
    expect(longGap).toBe(true);
    // A fact value changes within the range for someone in it.
    const changes = ids.some((id) => new Set(RANGE_DAYS.map((d) => valueOf(id, "ui.theme", d))).size > 1);
    expect(changes).toBe(true);
    // The late fact (received day(20), collected day(45)) loses to the tie winner of day(40) ("fact-tie-b" > "-a").
    expect(valueOf(ids[0]!, "db", day(20))).toBe("postgres");
    // Retention cut the raw pings: the oldest kept is 90 days before today.
    const min = await env.DB.prepare("SELECT min(day) AS d FROM pings").first<{ d: string }>();
    expect(min?.d).toBe(day(90));
    // Each filter selects a proper, non-empty part.
    for (const f of FILTERS) {
      const a = expectedActive(f, RANGE_DAYS, 30);
      expect(
        a.some((n) => n > 0),
        JSON.stringify(f),
      ).toBe(true);
      expect(a, JSON.stringify(f)).not.toEqual(expectedActive({}, RANGE_DAYS, 30));
    }
  });

  it("unfiltered (the rollups) equals the model with no filter", async () => {
    const a = await adminJson<ActiveStats>(`/v1/admin/stats/active?${range}`);
    expect(a.active7).toEqual(expectedActive({}, RANGE_DAYS, 7));
    expect(a.active30).toEqual(expectedActive({}, RANGE_DAYS, 30));
    expect(a.raw_missing_days).toEqual([]);
    const f = await adminJson<FactStats>(`/v1/admin/stats/facts?${range}`);
    expect(f.facts).toEqual(expectedFacts({}, RANGE_DAYS));
  });

  it("active-7/30 under every filter equal the model; pings stays unfiltered", async () => {
    for (const f of FILTERS) {
      const a = await adminJson<ActiveStats>(`/v1/admin/stats/active?${range}${qs(f)}`);
      expect(a.not_filtered, JSON.stringify(f)).toEqual(["pings"]);
      expect(a.raw_missing_days).toEqual([]);
      expect(a.active7, JSON.stringify(f)).toEqual(expectedActive(f, RANGE_DAYS, 7));
      expect(a.active30, JSON.stringify(f)).toEqual(expectedActive(f, RANGE_DAYS, 30));
      expect(a.active1, JSON.stringify(f)).toEqual(expectedActive(f, RANGE_DAYS, 1));
    }
  });

  it("facts under every filter equal the model; unattributed facts are named unfiltered", async () => {
    for (const f of FILTERS) {
      const got = await adminJson<FactStats>(`/v1/admin/stats/facts?${range}${qs(f)}`);
      expect(got.not_filtered, JSON.stringify(f)).toEqual(["unattributed"]);
      expect(got.raw_missing_days).toEqual([]);
      expect(got.facts, JSON.stringify(f)).toEqual(expectedFacts(f, RANGE_DAYS));
    }
  });

  it("a filter that matches everything gives exactly the unfiltered figures", async () => {
    const all = `product=${ALL_NL}&from=${FROM}&to=${D}`;
    const [a, nl] = await Promise.all([
      adminJson<ActiveStats>(`/v1/admin/stats/active?${all}`),
      adminJson<ActiveStats>(`/v1/admin/stats/active?${all}&country=NL`),
    ]);
    expect([nl.active1, nl.active7, nl.active30]).toEqual([a.active1, a.active7, a.active30]);
    expect(nl.active30.some((n) => n! > 0)).toBe(true);
    const [f, fnl] = await Promise.all([
      adminJson<FactStats>(`/v1/admin/stats/facts?${all}`),
      adminJson<FactStats>(`/v1/admin/stats/facts?${all}&country=NL`),
    ]);
    expect(fnl.facts).toEqual(f.facts);
    expect(f.facts.length).toBeGreaterThan(0);
  });

  it("days whose window reaches expired raw pings are null and named in raw_missing_days", async () => {
    // Retention kept day(90) on; the rollups still hold day(99)..day(91).
    const from = day(95);
    const days = DATA_DAYS.filter((d) => d >= from);
    const q = `product=${PRODUCT}&from=${from}&to=${D}&country=DE`;
    const a = await adminJson<ActiveStats>(`/v1/admin/stats/active?${q}`);
    const reach = (n: number) => days.map((d) => DATA_DAYS.indexOf(d) - n + 1 <= DATA_DAYS.indexOf(day(91)));
    expect(a.raw_missing_days).toEqual(days.filter((_, i) => reach(30)[i]));
    expect(a.raw_missing_days.at(-1)).toBe(day(62));
    const model30 = expectedActive({ country: "DE" }, days, 30);
    const model7 = expectedActive({ country: "DE" }, days, 7);
    expect(a.active30).toEqual(days.map((_, i) => (reach(30)[i] ? null : model30[i])));
    expect(a.active7).toEqual(days.map((_, i) => (reach(7)[i] ? null : model7[i])));
    const f = await adminJson<FactStats>(`/v1/admin/stats/facts?${q}`);
    expect(f.raw_missing_days).toEqual(a.raw_missing_days);
    const want = expectedFacts({ country: "DE" }, days)
      .map((x) => ({ ...x, installations: x.installations.map((n, i) => (reach(30)[i] ? null : n)) }))
      .filter((x) => x.installations.some((n) => n !== null && n > 0));
    expect(f.facts).toEqual(want);
    // Unfiltered: the rollups, nothing missing.
    const all = await adminJson<ActiveStats>(`/v1/admin/stats/active?product=${PRODUCT}&from=${from}&to=${D}`);
    expect(all.raw_missing_days).toEqual([]);
    expect(all.active30.every((n) => n !== null)).toBe(true);
  });
});
