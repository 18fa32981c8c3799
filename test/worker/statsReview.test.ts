import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { ExceptionStats, FactStats, ProductList, VersionStats } from "../../schema";
import { admin, post, uuid } from "./helpers";
import { adminWithVars, bulkEvents, bulkPings, cron } from "./statsSeed";

const D = "2026-04-10";
const at = (hour: number) => Date.parse(`${D}T${String(hour).padStart(2, "0")}:00:00Z`);
const json = async <T>(path: string): Promise<T> => {
  const res = await admin(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};
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

describe("facts: top values per key and day, keyed by dimension", () => {
  it("keeps the 50 most common values of a key per day; the rest are summed as (other)", async () => {
    await bulkPings({ n: 60, day: D, tag: "fct" });
    await env.DB.prepare(
      `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60)
      INSERT INTO facts (id, instance_id, kind, key, value, collected_at, received_at, day)
      SELECT 'f' || x, printf('fct-0000-4000-8000-%012d', x), 'feature', 'theme',
        CASE WHEN x <= 6 THEN 'a' ELSE printf('v%02d', x) END, ?1, ?1, ?2 FROM c`,
    )
      .bind(at(8), D)
      .run();
    await cron(at(12));
    const f = await json<FactStats>(`/v1/admin/stats/facts?product=acme&from=${D}&to=${D}`);
    expect(f.facts).toHaveLength(51);
    expect(f.facts.find((x) => x.value === "a")!.installations).toEqual([6]);
    expect(f.facts.find((x) => x.value === "(other)")!.installations).toEqual([5]);
    expect(f.facts.filter((x) => x.value.startsWith("v")).map((x) => x.value)).toEqual(
      Array.from({ length: 49 }, (_, i) => `v${String(i + 7).padStart(2, "0")}`),
    );
    expect(f.facts.reduce((n, x) => n + x.installations[0]!, 0)).toBe(60);
  });

  it("rollup_dims is keyed (product, dim, day, key, value): a stat reads only its dimension", async () => {
    const cols = await env.DB.prepare(
      "SELECT name FROM pragma_index_info('sqlite_autoindex_rollup_dims_1') ORDER BY seqno",
    ).all<{ name: string }>();
    expect(cols.results.map((c) => c.name)).toEqual(["product", "dim", "day", "key", "value"]);
  });
});

describe("exceptions: installation-days, latest type, server times", () => {
  it("an installation on two versions on one day counts once; type is the latest report's", async () => {
    const id = "fct-0000-4000-8000-000000000001";
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
        installation_days: 1,
        versions: ["1.1.0", "1.0.0"],
        first_seen: `${D}T09:00:00.000Z`,
        last_seen: `${D}T11:00:00.000Z`,
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

describe("products and the raw cross-check", () => {
  it("a product with frontend events but no pings is listed for the switcher", async () => {
    await bulkEvents({ n: 3, day: D, tag: "web", product: "webonly" });
    await cron(at(13));
    const p = await json<ProductList>("/v1/admin/stats/products");
    expect(p.products.find((x) => x.product === "webonly")).toEqual({
      product: "webonly",
      first_day: D,
      last_day: D,
      latest_release: null,
    });
  });

  it('?source=raw is refused unless STATS_RAW_COMPARE is "true"', async () => {
    const path = `/v1/admin/stats/versions?product=acme&from=${D}&to=${D}&source=raw`;
    const off = await admin(path);
    expect(off.status).toBe(400);
    expect(((await off.json()) as { error: { code: string; path: string } }).error).toMatchObject({
      code: "invalid_query",
      path: "$.source",
    });
    const on = await adminWithVars(path, { STATS_RAW_COMPARE: "true" });
    expect(on.status).toBe(200);
    expect(((await on.json()) as VersionStats).versions).toEqual([{ version: "1.0.0", installations: [60] }]);
  });
});
