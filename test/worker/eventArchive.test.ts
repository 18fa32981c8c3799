import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { stringify } from "csv-stringify/sync";
import { browserRef } from "../../schema";
import { database } from "../../worker/store/db";
import type { EventRow } from "../../worker/store/events";
import { writeEvents } from "../../worker/store/eventWrites";
import { EVENT_ARCHIVE_PREFIX, writeDigest } from "../../worker/store/eventArchive";
import { ERASURE_HOLD_DAYS } from "../../worker/store/eventErasure";
import { EXPORT_MAX_R2_CALLS } from "../../worker/routes/stats/exports";
import { admin, count, emptyArchive, emptyDatabase, post } from "./helpers";
import { cron, insertPings } from "./statsSeed";

const at = (day: string, ms: number) => Date.parse(`${day}T00:00:00Z`) + ms;
const HEADER =
  "uuid,product,event,timestamp,received_at,day,distinct_id,session_id,path,referrer_domain,browser,os,lib,lib_version,instance_ref,app_version,license_type,duration_ms,props";

let n = 0;
function row(product: string, day: string, over: Partial<EventRow> = {}): EventRow {
  const i = n++;
  return {
    uuid: `00000000-0000-4000-9000-${String(i).padStart(12, "0")}`,
    product,
    event: i % 3 === 0 ? "deploy" : "$pageview",
    timestamp: at(day, 1000 * i),
    receivedAt: at(day, 3_600_000 + ((i * 7919) % 1000)),
    day,
    distinctId: `v${i % 4}`,
    sessionId: `s${i % 6}`,
    path: i % 3 === 0 ? null : `/p${i % 5}`,
    referrerDomain: null,
    browser: "Chrome",
    os: "Linux",
    lib: "web",
    libVersion: "1.449.2",
    instanceRef: null,
    appVersion: "2.1.0",
    licenseType: null,
    durationMs: null,
    props: i % 3 === 0 ? { target: "prod", ok: true, n: i } : null,
    ...over,
  };
}

/** The CSV the D1 export gave for these rows (cells as D1 stored them), computed from the rows themselves. */
function csvOf(rows: EventRow[]): string {
  const iso = (ms: number | null | undefined) => (typeof ms === "number" ? new Date(ms).toISOString() : null);
  const cells = rows.map((r) => [
    r.uuid,
    r.product,
    r.event,
    iso(r.timestamp),
    iso(r.receivedAt),
    r.day,
    r.distinctId ?? null,
    r.sessionId ?? null,
    r.path ?? null,
    r.referrerDomain ?? null,
    r.browser ?? null,
    r.os ?? null,
    r.lib ?? null,
    r.libVersion ?? null,
    r.instanceRef ?? null,
    r.appVersion ?? null,
    r.licenseType ?? null,
    r.durationMs ?? null,
    r.props ? JSON.stringify(r.props) : null,
  ]);
  const defuse = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  return stringify(cells, { cast: { string: defuse }, record_delimiter: "\r\n" });
}

/** Rows in export order: by day, then object key (product, write digest), then (received_at, uuid). */
async function exportOrder(writes: EventRow[][]): Promise<EventRow[]> {
  const objects: Array<{ key: string; day: string; rows: EventRow[] }> = [];
  for (const w of writes) {
    const digest = await writeDigest(w.map((r) => r.uuid));
    const groups = new Map<string, EventRow[]>();
    for (const r of w) groups.set(`${r.product}/${r.day}`, [...(groups.get(`${r.product}/${r.day}`) ?? []), r]);
    for (const [pd, rows] of groups) objects.push({ key: `events/${pd}/${digest}.ndjson.gz`, day: rows[0]!.day, rows });
  }
  objects.sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.key < b.key ? -1 : 1));
  return objects.flatMap((o) => [...o.rows].sort((a, b) => a.receivedAt - b.receivedAt || (a.uuid < b.uuid ? -1 : 1)));
}

beforeEach(async () => {
  await emptyDatabase();
  await emptyArchive();
});

describe("raw events archived to R2 (gzip NDJSON) and exported from there", () => {
  it("exports byte for byte what was captured, across two days and many objects, with and without product=", async () => {
    const days = ["2026-11-10", "2026-11-11"];
    const writes: EventRow[][] = [];
    for (let w = 0; w < 40; w++) {
      writes.push(Array.from({ length: 7 }, (_, i) => row(w % 4 === 0 ? "beta" : "alpha", days[(w + i) % 2]!)));
    }
    for (const w of writes) await writeEvents(database(env), env.ARCHIVE, w, at("2026-11-11", 80_000_000));
    const keys = (await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects;
    expect(keys.length).toBe(80); // one object per write and day

    const alpha = await admin(`/v1/admin/export/events.csv?product=alpha&from=${days[0]}&to=${days[1]}`);
    expect(alpha.status).toBe(200);
    expect(alpha.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const alphaWrites = writes.map((w) => w.filter((r) => r.product === "alpha")).filter((w) => w.length > 0);
    // Digests name a write's new uuids of every product: recompute the order from the full writes.
    const ordered = (await exportOrder(writes)).filter((r) => r.product === "alpha");
    expect(alphaWrites.flat().length).toBe(ordered.length);
    expect(await alpha.text()).toBe(`${HEADER}\r\n${csvOf(ordered)}`);

    const everything = await admin(`/v1/admin/export/events.csv?from=${days[0]}&to=${days[1]}`);
    expect(await everything.text()).toBe(`${HEADER}\r\n${csvOf(await exportOrder(writes))}`);
    // One day only.
    const second = await admin(`/v1/admin/export/events.csv?from=${days[1]}&to=${days[1]}`);
    expect(await second.text()).toBe(
      `${HEADER}\r\n${csvOf((await exportOrder(writes)).filter((r) => r.day === days[1]))}`,
    );
  });

  it("events older than EVENTS_D1_DAYS leave D1 but are still exported from R2 and still counted in the rollups", async () => {
    const old = "2026-11-01";
    const rows = Array.from({ length: 12 }, () => row("alpha", old));
    await writeEvents(database(env), env.ARCHIVE, rows, at(old, 3_700_000));
    await cron(at(old, 4_000_000));
    const rollups = async () => ({
      frontend: (await env.DB.prepare("SELECT * FROM rollup_frontend WHERE day = ?").bind(old).all()).results,
      events: (await env.DB.prepare("SELECT * FROM rollup_events WHERE day = ?").bind(old).all()).results,
    });
    const before = await rollups();
    expect(before.frontend).toMatchObject([{ product: "alpha", events: 12, pageviews: 8 }]);
    expect(before.events).toMatchObject([{ event: "deploy", count: 4 }]);
    expect(await count("event_seen")).toBeGreaterThan(0);

    await cron(at("2026-11-07", 4_000_000)); // 6 days later: within EVENTS_D1_DAYS (7), kept
    expect(await count("events")).toBe(12);
    await cron(at("2026-11-09", 4_000_000)); // 8 days later: deleted from D1
    expect(await count("events")).toBe(0);
    expect(await count("event_seen")).toBe(0);
    expect(await rollups()).toEqual(before);
    const res = await admin(`/v1/admin/export/events.csv?product=alpha&from=${old}&to=${old}`);
    expect(await res.text()).toBe(`${HEADER}\r\n${csvOf(await exportOrder([rows]))}`);
    const stats = await admin(`/v1/admin/stats/events?product=alpha&from=${old}&to=${old}`);
    expect(((await stats.json()) as { events: Array<{ total: number }> }).events[0]!.total).toBe(4);
  });

  it("hostile-but-valid events (escaped control characters, long allowed strings, quotes, formulas) archive and export intact", async () => {
    const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("") + "\u007f\u2028\u2029";
    const long = (len: number, seed: string) => seed.repeat(Math.ceil(len / seed.length)).slice(0, len);
    const props: Record<string, string> = {};
    for (let i = 0; i < 10; i++) props[`k${i}${controls.slice(i, i + 3)}`] = long(64, `"${controls},\r\n=1+1`);
    const hostile = Array.from({ length: 300 }, () =>
      row("alpha", "2026-11-12", {
        event: long(120, `=cmd|' /C calc'!A0${controls}`),
        distinctId: long(200, `"quoted", ${controls}`),
        sessionId: long(200, "\u0001\n"),
        path: long(512, `/ünï/😀${controls}`),
        referrerDomain: long(253, "a.b-"),
        props,
      }),
    );
    const written = await writeEvents(database(env), env.ARCHIVE, hostile, at("2026-11-12", 3_700_000));
    expect(written.inserted).toBe(300);
    const res = await admin("/v1/admin/export/events.csv?product=alpha&from=2026-11-12&to=2026-11-12");
    expect(await res.text()).toBe(`${HEADER}\r\n${csvOf(await exportOrder([hostile]))}`);
  });

  it(`a range of more than ${EXPORT_MAX_R2_CALLS} archive objects: 413 range_too_large before any byte`, async () => {
    const day = "2026-11-15";
    for (let i = 0; i < EXPORT_MAX_R2_CALLS; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          env.ARCHIVE.put(
            `events/huge/${day}/${String(i + j).padStart(32, "0")}.ndjson.gz`,
            new Uint8Array([0x1f, 0x8b]),
          ),
        ),
      );
    }
    await writeEvents(database(env), env.ARCHIVE, [row("small", day)], at(day, 3_700_000));
    const res = await admin(`/v1/admin/export/events.csv?product=huge&from=${day}&to=${day}`);
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("range_too_large");
    expect(body.error.message).toContain("Narrow from/to");
    expect((await admin(`/v1/admin/export/events.csv?from=${day}&to=${day}`)).status).toBe(413);
    // Another product's slice of the same day is small enough.
    const small = await admin(`/v1/admin/export/events.csv?product=small&from=${day}&to=${day}`);
    expect(small.status).toBe(200);
    expect((await small.text()).split("\r\n").filter((l) => l !== "")).toHaveLength(2);
  });

  it("the cron compacts a day's write objects into one; the export is byte for byte the same", async () => {
    const day = "2026-11-16";
    const now = at(day, 50_000_000);
    const writes = Array.from({ length: 30 }, (_, w) =>
      Array.from({ length: 5 }, () => row(w % 2 ? "alpha" : "beta", day)),
    );
    for (const w of writes) await writeEvents(database(env), env.ARCHIVE, w, now);
    const path = `/v1/admin/export/events.csv?from=${day}&to=${day}`;
    const before = await (await admin(path)).text();
    expect(before).toBe(`${HEADER}\r\n${csvOf(await exportOrder(writes))}`);
    const keys = async () =>
      (await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects.map((o) => o.key).sort();
    const sources = await keys();
    expect(sources).toHaveLength(30);
    const bytes = new Map<string, ArrayBuffer>();
    for (const k of sources) bytes.set(k, await (await env.ARCHIVE.get(k))!.arrayBuffer());

    await cron(now + 60_000);
    const compacted = await keys();
    expect(compacted).toHaveLength(2); // one per product
    for (const k of compacted) expect(k).toMatch(/\/c-[0-9a-f]{32}\.ndjson\.gz$/);
    expect(await (await admin(path)).text()).toBe(before);

    // A compaction interrupted after its object was put: the sources and the manifest are still there.
    for (const [k, b] of bytes) await env.ARCHIVE.put(k, b);
    for (const product of ["alpha", "beta"]) {
      const own = sources.filter((k) => k.startsWith(`events/${product}/`));
      const stem = compacted.find((k) => k.startsWith(`events/${product}/`))!.replace(/\.ndjson\.gz$/, "");
      await env.ARCHIVE.put(`${stem}.manifest.json`, JSON.stringify({ sources: own }));
    }
    expect(await (await admin(path)).text()).toBe(before); // no row twice
    await cron(now + 120_000); // finishes it: sources and manifests deleted
    expect(await keys()).toEqual(compacted);
    expect(await (await admin(path)).text()).toBe(before);
    // Still counted once.
    const fe = await env.DB.prepare("SELECT sum(events) AS n FROM rollup_frontend WHERE day = ?")
      .bind(day)
      .first<{ n: number }>();
    expect(fe!.n).toBe(150);
  });

  it("erasing an installation removes its archived events: from the export at once, from R2 by the next cron", async () => {
    const day = "2026-11-17";
    const id = "5eed0000-0000-4000-8000-000000000001";
    const ref = await browserRef(id);
    await insertPings([{ id, day, version: "1.0.0", product: "alpha" }]);
    const mixed = [
      row("alpha", day, { instanceRef: ref }),
      row("alpha", day, { instanceRef: "otherref0000000000000a" }),
    ];
    const own = [row("alpha", day, { instanceRef: ref }), row("alpha", day, { instanceRef: ref })];
    const now = at(day, 40_000_000);
    await writeEvents(database(env), env.ARCHIVE, mixed, now);
    await writeEvents(database(env), env.ARCHIVE, own, now);
    const raw = async () => {
      const text: string[] = [];
      for (const o of (await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects) {
        const body = (await env.ARCHIVE.get(o.key))!.body.pipeThrough(new DecompressionStream("gzip"));
        text.push(await new Response(body).text());
      }
      return text.join("");
    };
    expect(await raw()).toContain(ref);

    expect((await admin(`/v1/admin/instances/${id}`, { method: "DELETE" })).status).toBe(204);
    const path = `/v1/admin/export/events.csv?from=${day}&to=${day}`;
    const expected = `${HEADER}\r\n${csvOf([mixed[1]!])}`;
    expect(await (await admin(path)).text()).toBe(expected); // left out at once
    expect(await raw()).toContain(ref); // still in R2 until the cron

    await cron(at(day, 41_000_000));
    expect(await raw()).not.toContain(ref);
    expect((await env.ARCHIVE.list({ prefix: EVENT_ARCHIVE_PREFIX })).objects).toHaveLength(1); // the emptied object is gone
    expect(await count("erased_refs")).toBe(1); // held: a queued message of it must not bring it back
    expect(await count("event_archive_refs")).toBe(1);
    expect(await (await admin(path)).text()).toBe(expected);

    const { erasedAt } = (await env.DB.prepare("SELECT erased_at AS erasedAt FROM erased_refs").first<{
      erasedAt: number;
    }>())!;
    await cron(erasedAt + (ERASURE_HOLD_DAYS - 1) * 86_400_000);
    expect(await count("erased_refs")).toBe(1);
    await cron(erasedAt + ERASURE_HOLD_DAYS * 86_400_000 + 1);
    expect(await count("erased_refs")).toBe(0); // forgotten once the hold is over
  });

  it("events stored before the archive existed (archived = 0) are archived by the cron before D1 lets them go", async () => {
    const day = "2026-10-20";
    const old = row("alpha", day, { props: { legacy: true } });
    await env.DB.prepare(
      `INSERT INTO events (uuid, product, event, timestamp, received_at, day, distinct_id, session_id, path, browser, os, lib,
        lib_version, app_version, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
      .bind(
        old.uuid,
        old.product,
        old.event,
        old.timestamp,
        old.receivedAt,
        old.day,
        old.distinctId,
        old.sessionId,
        old.path ?? null,
        old.browser,
        old.os,
        old.lib,
        old.libVersion,
        old.appVersion,
        JSON.stringify(old.props),
      )
      .run();
    const path = `/v1/admin/export/events.csv?from=${day}&to=${day}`;
    expect(await (await admin(path)).text()).toBe(`${HEADER}\r\n`); // not in R2 yet
    await cron(at("2026-11-20", 4_000_000)); // 31 days later: archived first, then out of D1
    expect(await count("events")).toBe(0);
    expect(await (await admin(path)).text()).toBe(`${HEADER}\r\n${csvOf([old])}`);
  });

  it("the capture route (direct mode) archives what it stores: one object, exported with the D1 row's cells", async () => {
    const id = crypto.randomUUID();
    const res = await post("/batch/", {
      api_key: "phc_candor_dev",
      batch: [
        { uuid: id, event: "deploy_flow", properties: { distinct_id: "d", token: "phc_candor_dev", target: "prod" } },
      ],
    });
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const today = new Date().toISOString().slice(0, 10);
    const stored = await env.DB.prepare("SELECT * FROM events WHERE uuid = ?")
      .bind(id)
      .first<Record<string, unknown>>();
    const lines = (
      await (await admin(`/v1/admin/export/events.csv?product=flowforge&from=${today}&to=${today}`)).text()
    )
      .split("\r\n")
      .filter((l) => l !== "");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      csvOf([
        {
          uuid: id,
          product: "flowforge",
          event: "deploy_flow",
          timestamp: stored!.timestamp as number | null,
          receivedAt: stored!.received_at as number,
          day: today,
          distinctId: stored!.distinct_id as string | null,
          sessionId: stored!.session_id as string | null,
          path: stored!.path as string | null,
          referrerDomain: stored!.referrer_domain as string | null,
          browser: stored!.browser as string | null,
          os: stored!.os as string | null,
          lib: stored!.lib as string | null,
          libVersion: stored!.lib_version as string | null,
          instanceRef: stored!.instance_ref as string | null,
          appVersion: stored!.app_version as string | null,
          licenseType: stored!.license_type as string | null,
          durationMs: stored!.duration_ms as number | null,
          props: stored!.props === null ? null : (JSON.parse(stored!.props as string) as EventRow["props"]),
        },
      ]).trimEnd(),
    );
    expect(lines[1]).toContain(`${id},flowforge,deploy_flow,`);
  });
});
