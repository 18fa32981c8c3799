import { beforeEach, describe, expect, it } from "vitest";
import type { ProductList, VersionStats } from "../../schema";
import { admin, emptyDatabase, adminJson } from "./helpers";
import { adminWithVars, bulkEvents, bulkPings, cron } from "./statsSeed";

const D = "2026-04-10";
const at = (hour: number) => Date.parse(`${D}T${String(hour).padStart(2, "0")}:00:00Z`);
const json = adminJson;

describe("products and the raw cross-check", () => {
  beforeEach(emptyDatabase);

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
    await bulkPings({ n: 4, day: D, tag: "raw" });
    const path = `/v1/admin/stats/versions?product=acme&from=${D}&to=${D}&source=raw`;
    const off = await admin(path);
    expect(off.status).toBe(400);
    expect(((await off.json()) as { error: { code: string; path: string } }).error).toMatchObject({
      code: "invalid_query",
      path: "$.source",
    });
    const on = await adminWithVars(path, { STATS_RAW_COMPARE: "true" });
    expect(on.status).toBe(200);
    expect(((await on.json()) as VersionStats).versions).toEqual([{ version: "1.0.0", installations: [4] }]);
  });
});
