import { beforeEach, describe, expect, it } from "vitest";
import type { ExceptionGroupStats, ExceptionStats, VersionStats } from "../../schema";
import { admin, adminJson, count, emptyDatabase, errorCode } from "./helpers";
import { cron, D, D1, D2, insertPings, NOW } from "./statsSeed";
import { env } from "cloudflare:workers";

/** The release history (release_history): appended by PUT, read as markers and for "new in this release". */
const put = (product: string, version: string) =>
  admin(`/v1/admin/releases/${product}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ version }),
  });
const range = `product=hist&from=${D2}&to=${D}`;
const versions = () => adminJson<VersionStats>(`/v1/admin/stats/versions?${range}`);

beforeEach(async () => {
  await emptyDatabase();
});

describe("release history", () => {
  it("PUT appends each version once (first time kept); the versions answer lists them as markers", async () => {
    expect((await put("hist", "1.0.0")).status).toBe(200);
    expect((await put("hist", "1.1.0")).status).toBe(200);
    expect((await put("hist", "1.1.0")).status).toBe(200); // set again: still one entry
    const v = await versions();
    expect(v.latest).toBe("1.1.0");
    expect(v.releases.map((r) => r.version)).toEqual(["1.0.0", "1.1.0"]);
    for (const r of v.releases) expect(Math.abs(Date.parse(r.released_at) - Date.now())).toBeLessThan(600_000);
    expect(await count("release_history")).toBe(2);
  });

  it("a current release set before the history existed is still a marker", async () => {
    await env.DB.prepare("INSERT INTO releases (product, version, updated_at) VALUES ('hist', '0.9.0', 0)").run();
    expect((await versions()).releases).toEqual([{ version: "0.9.0", released_at: "1970-01-01T00:00:00.000Z" }]);
  });

  it("DELETE of one version removes it from the history, and the current release when it is that one", async () => {
    await put("hist", "1.0.0");
    await put("hist", "1.1.0");
    const old = await admin("/v1/admin/releases/hist/1.0.0", { method: "DELETE" });
    expect(old.status).toBe(204);
    let v = await versions();
    expect([v.latest, v.releases.map((r) => r.version)]).toEqual(["1.1.0", ["1.1.0"]]);
    expect((await admin("/v1/admin/releases/hist/1.1.0", { method: "DELETE" })).status).toBe(204);
    v = await versions();
    expect([v.latest, v.releases]).toEqual([null, []]);
    const again = await admin("/v1/admin/releases/hist/1.1.0", { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe("not_found");
    expect(await errorCode(await admin(`/v1/admin/releases/hist/${"9".repeat(65)}`, { method: "DELETE" }))).toBe(
      "invalid_field",
    );
  });

  it("DELETE of a product's release removes its whole history", async () => {
    await put("hist", "1.0.0");
    await put("hist", "1.1.0");
    await put("other", "3.0.0");
    expect((await admin("/v1/admin/releases/hist", { method: "DELETE" })).status).toBe(204);
    expect((await versions()).releases).toEqual([]);
    expect(await count("release_history WHERE product = 'other'")).toBe(1);
  });

  it("an exception group is new in the release its oldest reporting version is, an older release included", async () => {
    await put("hist", "1.0.0");
    await put("hist", "1.1.0");
    await put("hist", "1.2.0"); // the latest: fpOld is not new in it, but it is new in 1.1.0
    await insertPings([{ id: "abababab-0000-4000-8000-000000000001", product: "hist", day: D1, version: "1.1.0" }]);
    const add = (fp: string, version: string) =>
      env.DB.prepare(
        `INSERT INTO exceptions (id, instance_id, fingerprint, type, message, version, collected_at, received_at, day)
          VALUES (?, 'abababab-0000-4000-8000-000000000001', ?, 'Error', 'm', ?, ?, ?, ?)`,
      )
        .bind(crypto.randomUUID(), fp, version, Date.parse(`${D1}T10:00:00Z`), Date.parse(`${D1}T10:00:00Z`), D1)
        .run();
    await add("fpOld", "1.1.0");
    await add("fpOld", "1.2.0");
    await add("fpPre", "0.9.0"); // 0.9.0 was never released: unknown age
    await add("fpPre", "1.2.0");
    await add("fpFirst", "1.0.0"); // the first release: nothing older ran without it
    await add("fpFirst", "1.1.0");
    await cron(NOW);
    const e = await adminJson<ExceptionStats>(`/v1/admin/stats/exceptions?${range}`);
    expect(Object.fromEntries(e.groups.map((g) => [g.fingerprint, g.new_in]))).toEqual({
      fpOld: "1.1.0",
      fpPre: null,
      fpFirst: null,
    });
    const g = await adminJson<ExceptionGroupStats>(`/v1/admin/stats/exceptions/fpOld?${range}`);
    expect([g.new_in, g.new_in_latest]).toEqual(["1.1.0", false]);
  });
});
