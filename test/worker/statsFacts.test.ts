import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { FactStats } from "../../schema";
import { emptyDatabase, adminJson } from "./helpers";
import { bulkPings, cron } from "./statsSeed";

const D = "2026-04-10";
const at = (hour: number) => Date.parse(`${D}T${String(hour).padStart(2, "0")}:00:00Z`);
const json = adminJson;

describe("facts: top values per key and day, keyed by dimension", () => {
  beforeEach(emptyDatabase);

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
