import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import worker from "../../worker/index";
import type { EventStats, FrontendStats } from "../../schema";
import { browserRef } from "../../schema/wire/browserRef";
import { database } from "../../worker/store/db";
import type { EventRow } from "../../worker/store/events";
import { writeEvents } from "../../worker/store/eventWrites";
import { adminJson, count, emptyArchive, emptyDatabase, prng } from "./helpers";

/**
 * The breakdown filters on the frontend and custom-events answers (?version=&license_type=&country=;
 * worker/store/eventSlices.ts). An event's version and licence are its own (app_version,
 * license_type), its country that of the installation its instance_ref names, resolved by the
 * writer. Checked against two independent computations: the answer of the unfiltered (long
 * established) path over a product holding only the matching events, and plain counting here.
 */

const DAY = "2026-11-20";
const NEXT = "2026-11-21";
const at = (day: string, ms: number) => Date.parse(`${day}T00:00:00Z`) + ms;
const NOW = at(NEXT, 23 * 3_600_000);
const RANGE = `from=${DAY}&to=${NEXT}`;

/** Installations with a browser reference and a country (null: pinged without one). */
const INSTALLATIONS: Array<{ id: string; country: string | null }> = [
  { id: "00000000-0000-4000-8000-0000000000a1", country: "DE" },
  { id: "00000000-0000-4000-8000-0000000000a2", country: "US" },
  { id: "00000000-0000-4000-8000-0000000000a3", country: null },
];
/** A reference no installation has (its events: country unknown). */
const STRAY_REF = "AAAAAAAAAAAAAAAAAAAAAA";

/** The installations' rows as pings leave them: instances (with browser_ref) and instance_activity (country of the last ping). */
async function seedInstallations(): Promise<Map<string, string | null>> {
  const countryOf = new Map<string, string | null>([[STRAY_REF, null]]);
  for (const x of INSTALLATIONS) {
    const ref = await browserRef(x.id);
    countryOf.set(ref, x.country);
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO instances (id, product, first_seen, last_seen, browser_ref, ping_count) VALUES (?, 'alpha', ?, ?, ?, 1)",
      ).bind(x.id, NOW, NOW, ref),
      env.DB.prepare(
        "INSERT INTO instance_activity (instance_id, product, last_day, seen, state_at, state_uuid, country) VALUES (?, 'alpha', ?, 1, ?, ?, ?)",
      ).bind(x.id, NEXT, NOW, x.id, x.country),
    ]);
  }
  return countryOf;
}

/**
 * n random events of product "alpha" over two days: sessions and visitors whose events carry
 * different versions, licences and installations (so they span slices), unknown values, ties in
 * time, missing times, pageleaves with durations, custom events with a few properties.
 */
function randomEvents(n: number, seed: number, refs: string[]): EventRow[] {
  const r = prng(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const day = r() < 0.6 ? DAY : NEXT;
    const event = pick(["$pageview", "$pageview", "$pageview", "$pageleave", "$pageleave", "deploy", "export"]);
    const custom = !event.startsWith("$");
    return {
      uuid: `00000000-0000-4000-8000-${String(seed * 100_000 + i).padStart(12, "0")}`,
      product: "alpha",
      event,
      timestamp: r() < 0.15 ? null : at(day, 1_000 * Math.floor(r() * 12)),
      receivedAt: at(day, 500 * Math.floor(r() * 30)),
      day,
      distinctId: r() < 0.1 ? null : pick(["v1", "v2", "v3", "v4"]),
      sessionId: r() < 0.1 ? null : pick(["s1", "s2", "s3", "s4", "s5", "s6"]),
      path: r() < 0.1 ? null : pick(["/", "/flows", "/settings", "/projects/:id"]),
      instanceRef: r() < 0.15 ? null : pick(refs),
      appVersion: pick(["1.0.0", "1.1.0", null]),
      licenseType: pick(["CE", "EE", null]),
      durationMs: event === "$pageleave" ? pick([0, 1_000, 59_999, 600_000, 3_600_000, null]) : null,
      props: custom ? { target: pick(["prod", "staging"]) } : null,
    };
  });
}

/** Batches of the rows in a shuffled order, with duplicates inside and across batches and whole batches redelivered. */
function shuffledBatches(rows: EventRow[], seed: number): EventRow[][] {
  const r = prng(seed);
  const order = [...rows];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const batches: EventRow[][] = [];
  for (let i = 0; i < order.length;) {
    const size = 1 + Math.floor(r() * 60);
    const batch = order.slice(i, i + size);
    if (i > 0) batch.push(...order.slice(Math.max(0, i - 10), i - Math.floor(r() * 10)));
    batch.push(batch[0]!);
    batches.push(batch);
    if (r() < 0.2) batches.push([...batch].reverse());
    i += size;
  }
  return batches;
}

interface Filter {
  version?: string;
  license_type?: string;
  country?: string;
}

/** Every filter combination the dashboard can ask for, unknown ('') values included. */
const FILTERS: Filter[] = [
  { version: "1.0.0" },
  { version: "" },
  { license_type: "EE" },
  { license_type: "" },
  { country: "DE" },
  { country: "" },
  { version: "1.1.0", license_type: "CE" },
  { version: "1.0.0", country: "US" },
  { license_type: "EE", country: "" },
  { version: "1.1.0", license_type: "CE", country: "DE" },
  { version: "", license_type: "", country: "" },
  { version: "9.9.9" }, // matches nothing
];

const query = (f: Filter) =>
  Object.entries(f)
    .map(([k, v]) => `&${k}=${encodeURIComponent(v as string)}`)
    .join("");

function matches(e: EventRow, f: Filter, countryOf: Map<string, string | null>): boolean {
  const country = e.instanceRef ? (countryOf.get(e.instanceRef) ?? null) : null;
  return (
    (f.version === undefined || (e.appVersion ?? "") === f.version) &&
    (f.license_type === undefined || (e.licenseType ?? "") === f.license_type) &&
    (f.country === undefined || (country ?? "") === f.country)
  );
}

/** The answer without its head (product, filters, not_filtered), lists whose order ties leave open sorted. */
function body(a: FrontendStats | EventStats): unknown {
  const { product: _p, filters: _f, not_filtered: _n, ...rest } = a;
  if (!("events" in a)) return rest;
  return {
    ...rest,
    events: a.events.map((e) => ({
      ...e,
      versions: [...e.versions].sort((x, y) => x.version.localeCompare(y.version)),
      top_props: [...e.top_props].sort((x, y) => x.value.localeCompare(y.value)),
    })),
  };
}

/** The frontend rollups of the breakdown slices, histograms parsed (key order is not part of the answer). */
async function sliceTables() {
  const q = async (sql: string) =>
    (await env.DB.prepare(sql).all<Record<string, unknown>>()).results.map((row): Record<string, unknown> => ({
      ...row,
      durations: typeof row.durations === "string" ? (JSON.parse(row.durations) as unknown) : row.durations,
    }));
  return {
    frontend: await q("SELECT * FROM rollup_frontend_slices ORDER BY 1, 2, 3, 4, 5, 6"),
    pages: await q("SELECT * FROM rollup_pages_slices ORDER BY 1, 2, 3, 4, 5, 6, 7"),
    events: await q("SELECT * FROM rollup_events_slices ORDER BY 1, 2, 3, 4, 5, 6"),
    props: await q("SELECT * FROM rollup_event_props_slices ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"),
  };
}

async function cron(when: number, eventsD1Days = "7"): Promise<void> {
  await worker.scheduled({ scheduledTime: when, cron: "17 * * * *", noRetry() {} }, {
    ...env,
    EVENTS_D1_DAYS: eventsD1Days,
  } as unknown as Env);
}

beforeEach(async () => {
  await emptyDatabase();
  await emptyArchive();
});

describe("filtered frontend and custom-events answers", () => {
  it("equal the unfiltered answer over only the matching events, and plain counts, for every filter combination", async () => {
    const countryOf = await seedInstallations();
    const rows = randomEvents(600, 7, [...countryOf.keys()]);
    const db = database(env);
    for (const b of shuffledBatches(rows, 8)) await writeEvents(db, env.ARCHIVE, b, NOW);
    expect(await count("events")).toBe(600);
    // The writer resolved each event's country from its installation.
    const stored = await env.DB.prepare("SELECT uuid, country FROM events").all<{
      uuid: string;
      country: string | null;
    }>();
    const byUuid = new Map(rows.map((r) => [r.uuid, r]));
    for (const s of stored.results) {
      const ref = byUuid.get(s.uuid)!.instanceRef;
      expect(s.country).toBe(ref ? (countryOf.get(ref) ?? null) : null);
    }

    for (const [i, f] of FILTERS.entries()) {
      const matching = rows.filter((r) => matches(r, f, countryOf));
      // Reference: the matching events alone, as product ref<i>, answered unfiltered, under uuids
      // of their own (one prefix per reference: the same order, so ties in time break alike).
      const prefix = (i + 1).toString(16).padStart(2, "0");
      const reference = matching.map((r) => ({ ...r, uuid: `${prefix}${r.uuid.slice(2)}`, product: `ref${i}` }));
      await writeEvents(db, env.ARCHIVE, reference, NOW);
      for (const route of ["frontend", "events"] as const) {
        const filtered = await adminJson<FrontendStats | EventStats>(
          `/v1/admin/stats/${route}?product=alpha&${RANGE}${query(f)}`,
        );
        expect(filtered.filters).toEqual(f);
        expect(filtered.not_filtered).toEqual([]);
        const expected = await adminJson<FrontendStats | EventStats>(
          `/v1/admin/stats/${route}?product=ref${i}&${RANGE}`,
        );
        expect(body(filtered), `${route} ${JSON.stringify(f)}`).toEqual(body(expected));
      }

      // Plain counting: pageviews, distinct sessions and visitors per day, entries per page.
      const f2 = await adminJson<FrontendStats>(`/v1/admin/stats/frontend?product=alpha&${RANGE}${query(f)}`);
      const views = (d: string) => matching.filter((r) => r.day === d && r.event === "$pageview");
      const distinct = (d: string, k: "sessionId" | "distinctId") =>
        new Set(matching.filter((r) => r.day === d && r[k] != null).map((r) => r[k])).size;
      expect(f2.pageviews).toEqual([views(DAY).length, views(NEXT).length]);
      expect(f2.sessions).toEqual([distinct(DAY, "sessionId"), distinct(NEXT, "sessionId")]);
      expect(f2.visitors).toEqual([distinct(DAY, "distinctId"), distinct(NEXT, "distinctId")]);
      const entries = new Map<string, number>();
      for (const d of [DAY, NEXT]) {
        const first = new Map<string, EventRow>();
        for (const v of views(d).filter((r) => r.sessionId != null)) {
          const t = (x: EventRow) => x.timestamp ?? x.receivedAt;
          const kept = first.get(v.sessionId!);
          if (!kept || t(v) < t(kept) || (t(v) === t(kept) && v.uuid < kept.uuid)) first.set(v.sessionId!, v);
        }
        for (const v of first.values()) entries.set(v.path ?? "", (entries.get(v.path ?? "") ?? 0) + 1);
      }
      expect(Object.fromEntries(f2.entry_pages.map((p) => [p.path, p.entries]))).toEqual(Object.fromEntries(entries));
    }
    // The data exercise what they claim: a session whose events fall in two versions' slices.
    const versionsOf = new Map<string, Set<string>>();
    for (const r of rows.filter((x) => x.sessionId && x.day === DAY))
      versionsOf.set(r.sessionId!, (versionsOf.get(r.sessionId!) ?? new Set()).add(r.appVersion ?? ""));
    expect([...versionsOf.values()].some((v) => v.size > 1)).toBe(true);
  });

  it("unfiltered answers read the unsliced rollups, unchanged by the slices", async () => {
    const countryOf = await seedInstallations();
    const rows = randomEvents(300, 17, [...countryOf.keys()]);
    await writeEvents(database(env), env.ARCHIVE, rows, NOW);
    const unfiltered = await adminJson<FrontendStats>(`/v1/admin/stats/frontend?product=alpha&${RANGE}`);
    await env.DB.batch(
      ["rollup_frontend_slices", "rollup_pages_slices", "rollup_events_slices", "rollup_event_props_slices"].map((t) =>
        env.DB.prepare(`DELETE FROM ${t}`),
      ),
    );
    expect(await adminJson<FrontendStats>(`/v1/admin/stats/frontend?product=alpha&${RANGE}`)).toEqual(unfiltered);
    // The slice that fixes nothing but the version, summed over versions, holds every pageview.
    expect(unfiltered.pageviews.reduce((a, b) => a + b, 0)).toBe(rows.filter((r) => r.event === "$pageview").length);
  });

  for (const seed of [21, 22]) {
    it(`the cron's rebuild from raw events gives the slices the writer counted; a redelivery adds nothing (seed ${seed})`, async () => {
      const countryOf = await seedInstallations();
      const rows = randomEvents(500, seed, [...countryOf.keys()]);
      for (const b of shuffledBatches(rows, seed + 100)) await writeEvents(database(env), env.ARCHIVE, b, NOW);
      const incremental = await sliceTables();
      expect(incremental.frontend.length).toBeGreaterThan(20);
      expect(incremental.pages.some((p) => (p.entries as number) > 0 && (p.exits as number) > 0)).toBe(true);
      expect(incremental.props.length).toBeGreaterThan(0);

      // Every batch once more (a redelivery, a client retry): nothing changes.
      for (const b of shuffledBatches(rows, seed + 200)) await writeEvents(database(env), env.ARCHIVE, b, NOW);
      expect(await sliceTables()).toEqual(incremental);

      await cron(NOW); // rebuilds DAY and NEXT from the raw rows (their stored countries)
      expect(await sliceTables()).toEqual(incremental);
    });
  }

  it("EVENTS_D1_DAYS = 0: the slices equal those of a write that keeps raw events, and the cron keeps them", async () => {
    const countryOf = await seedInstallations();
    const rows = randomEvents(300, 31, [...countryOf.keys()]);
    for (const b of shuffledBatches(rows, 32)) await writeEvents(database(env), env.ARCHIVE, b, NOW);
    const expected = await sliceTables();
    await emptyDatabase();
    await emptyArchive();
    await seedInstallations();
    for (const b of shuffledBatches(rows, 33)) await writeEvents(database(env), env.ARCHIVE, b, NOW, false);
    expect(await count("events")).toBe(0);
    expect(await sliceTables()).toEqual(expected);
    await cron(NOW, "0");
    expect(await sliceTables()).toEqual(expected);
    // The run rebuilt its days (the trims once failed every day with EVENTS_D1_DAYS = 0).
    const state = await env.DB.prepare("SELECT built_through FROM rollup_state").first<{ built_through: string }>();
    expect(state?.built_through).toBe(NEXT);
    // The slices' session memory goes with event_seen's once the day leaves the dedupe horizon.
    expect(await count("event_seen_slices")).toBeGreaterThan(0);
    await cron(NOW + 6 * 86_400_000, "0");
    expect(await count("event_seen")).toBe(0);
    expect(await count("event_seen_slices")).toBe(0);
  });

  it("EVENTS_D1_DAYS = 0: the cron trims property pairs to the top 100 per event, day and slice", async () => {
    const rows: EventRow[] = Array.from({ length: 103 }, (_, i) => ({
      uuid: `00000000-0000-4000-8000-${String(900_000 + i).padStart(12, "0")}`,
      product: "alpha",
      event: "deploy",
      timestamp: at(DAY, i),
      receivedAt: at(DAY, i),
      day: DAY,
      appVersion: i < 102 ? "1.0.0" : "2.0.0",
      // 1.0.0's slice: 102 values, once each; 2.0.0's one pair is in a slice of its own.
      props: { target: i < 101 ? `t${String(i).padStart(3, "0")}` : "common" },
    }));
    await writeEvents(database(env), env.ARCHIVE, rows, NOW, false);
    const pairs = async (version: string) =>
      (await env.DB.prepare("SELECT count(*) AS n FROM rollup_event_props_slices WHERE app_version = ?")
        .bind(version)
        .first<{ n: number }>())!.n;
    expect(await pairs("1.0.0")).toBe(102);
    await cron(NOW, "0");
    expect(await pairs("1.0.0")).toBe(100);
    expect(await pairs("2.0.0")).toBe(1);
    const e = await adminJson<EventStats>(`/v1/admin/stats/events?product=alpha&${RANGE}&version=1.0.0`);
    expect(e.events[0]!.total).toBe(102); // the counts are never trimmed, only the pairs
  });
});
