import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../worker/index";
import { alertAnswer, alertsAnswer, instancesAnswer, releaseAnswer, releasesAnswer } from "../../schema";
import { count, admin, call, errorCode, post, uuid } from "./helpers";

describe("admin API auth", () => {
  it.each([
    ["no header", {}],
    ["wrong token", { authorization: "Bearer nope" }],
    ["wrong length", { authorization: "Bearer test-admin-token-and-more" }],
    ["not bearer", { authorization: "Basic dGVzdA==" }],
  ])("%s -> 401", async (_name, headers) => {
    const res = await call("/v1/admin/instances", { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(await errorCode(res)).toBe("unauthorized");
  });

  it("a wrong token writes nothing", async () => {
    const res = await call("/v1/admin/alerts", {
      method: "POST",
      headers: { authorization: "Bearer nope", "content-type": "application/json" },
      body: JSON.stringify({ product: "a", affects: "*", level: "info", message: "m" }),
    });
    expect(res.status).toBe(401);
    expect(await count("alerts")).toBe(0);
  });
});

describe("instances", () => {
  it("lists instances newest first, paged with a cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = uuid();
      ids.push(id);
      await post("/v1/ping", { instanceId: id, product: "paging", version: `1.0.${i}` });
      await new Promise((r) => setTimeout(r, 3)); // distinct last_seen
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(`/v1/admin/instances?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = instancesAnswer.parse(await res.json());
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("each instance carries the country of its last ping", async () => {
    const id = uuid();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO instances (id, product, first_seen, last_seen, ping_count) VALUES (?, 'geo', 1, 3, 2)",
      ).bind(id),
      env.DB.prepare(
        "INSERT INTO pings (uuid, instance_id, product, received_at, day, country) VALUES (?, ?, 'geo', 1, '1970-01-01', 'FR'), (?, ?, 'geo', 3, '1970-01-01', 'JP')",
      ).bind(uuid(), id, uuid(), id),
    ]);
    const page = instancesAnswer.parse(await (await admin("/v1/admin/instances?product=geo")).json());
    expect(page.items.map((i) => [i.id, i.country])).toEqual([[id, "JP"]]);
  });

  it("filters by the country of the last ping ('' = unknown), ANDed with the other filters", async () => {
    const [fr, movedToJp, unknown, jpOther] = [uuid(), uuid(), uuid(), uuid()];
    const ping = (uuidOf: string, id: string, at: number, country: string | null, version = "1.0.0") =>
      env.DB.prepare(
        "INSERT INTO pings (uuid, instance_id, product, received_at, day, country, version) VALUES (?, ?, 'geo2', ?, '1970-01-01', ?, ?)",
      ).bind(uuidOf, id, at, country, version);
    const instance = (id: string, version: string) =>
      env.DB.prepare(
        "INSERT INTO instances (id, product, first_seen, last_seen, ping_count, version) VALUES (?, 'geo2', 1, 9, 1, ?)",
      ).bind(id, version);
    await env.DB.batch([
      instance(fr, "1.0.0"),
      instance(movedToJp, "1.0.0"),
      instance(unknown, "1.0.0"),
      instance(jpOther, "2.0.0"),
      ping(uuid(), fr, 5, "FR"),
      // FR first, JP last: the list (and its filter) take the last ping's country.
      ping(uuid(), movedToJp, 2, "FR"),
      ping(uuid(), movedToJp, 6, "JP"),
      ping(uuid(), unknown, 3, null),
      ping(uuid(), jpOther, 4, "JP", "2.0.0"),
    ]);
    const ids = async (qs: string) =>
      instancesAnswer
        .parse(await (await admin(`/v1/admin/instances?product=geo2&${qs}`)).json())
        .items.map((i) => [i.id, i.country]);
    // An independent answer: each installation's last ping, by received_at.
    const last = new Map([
      [fr, "FR"],
      [movedToJp, "JP"],
      [unknown, null],
      [jpOther, "JP"],
    ]);
    const expected = (country: string, version?: string) =>
      [...last]
        .filter(
          ([id, c]) => (c ?? "") === country && (version === undefined || (id === jpOther) === (version === "2.0.0")),
        )
        .map(([id]) => id)
        .sort();
    const sorted = (rows: Array<Array<string | null>>) => rows.map((r) => r[0]).sort();
    expect(sorted(await ids("country=FR"))).toEqual(expected("FR"));
    expect(sorted(await ids("country=JP"))).toEqual(expected("JP"));
    expect(await ids("country=")).toEqual([[unknown, null]]);
    expect(sorted(await ids("country=JP&version=1.0.0"))).toEqual(expected("JP", "1.0.0"));
    expect(sorted(await ids("country=JP&version=2.0.0"))).toEqual([jpOther]);
    // Erased: gone from the filtered list.
    expect((await admin(`/v1/admin/instances/${movedToJp}`, { method: "DELETE" })).status).toBe(204);
    expect(sorted(await ids("country=JP"))).toEqual([jpOther]);
    expect(await errorCode(await admin(`/v1/admin/instances?country=${"x".repeat(101)}`))).toBe("invalid_query");
  });

  it("filters by product, version, licence type and a search text (taken literally)", async () => {
    const a = uuid();
    const b = uuid();
    const c = uuid();
    await post("/v1/ping", { instanceId: a, product: "findme", version: "2.0.0", os: { type: "linux" } });
    await post("/v1/ping", { instanceId: b, product: "findme", version: "1.0.0", os: { type: "darwin" } });
    await post("/v1/ping", { instanceId: c, product: "elsewhere", version: "2.0.0" });
    const ids = async (qs: string) =>
      instancesAnswer
        .parse(await (await admin(`/v1/admin/instances?${qs}`)).json())
        .items.map((i) => i.id)
        .sort();
    expect(await ids("product=findme")).toEqual([a, b].sort());
    expect(await ids("product=findme&version=2.0.0")).toEqual([a]);
    expect(await ids("version=2.0.0&limit=500")).toEqual(expect.arrayContaining([a, c]));
    expect(await ids(`q=${b.slice(0, 8)}`)).toEqual([b]);
    expect(await ids("product=findme&q=DARW")).toEqual([b]);
    expect(await ids("product=findme&q=%25")).toEqual([]); // '%' is a character, not a wildcard
    expect(await errorCode(await admin(`/v1/admin/instances?q=${"x".repeat(101)}`))).toBe("invalid_query");
    expect(await errorCode(await admin("/v1/admin/instances?product=Bad%20Name"))).toBe("invalid_query");
  });

  it("rejects bad paging parameters", async () => {
    expect(await errorCode(await admin("/v1/admin/instances?limit=0"))).toBe("invalid_query");
    expect(await errorCode(await admin("/v1/admin/instances?limit=abc"))).toBe("invalid_query");
    expect(await errorCode(await admin("/v1/admin/instances?cursor=%%%"))).toBe("invalid_query");
  });

  it("pings of an unknown instance -> 404", async () => {
    const res = await admin(`/v1/admin/instances/${uuid()}/pings`);
    expect(res.status).toBe(404);
  });

  it("DELETE erases the instance and every row that references it", async () => {
    const id = uuid();
    const other = uuid();
    await post("/v1/ping", { instanceId: id, product: "erase" });
    await post("/v1/ping", { instanceId: id, product: "erase" });
    await post("/v1/ping", { instanceId: other, product: "erase" });
    const res = await admin(`/v1/admin/instances/${id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await count(`pings WHERE instance_id = '${id}'`)).toBe(0);
    expect(await count(`instances WHERE id = '${id}'`)).toBe(0);
    expect(await count(`pings WHERE instance_id = '${other}'`)).toBe(1);
    expect((await admin(`/v1/admin/instances/${id}`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("releases and alerts", () => {
  const put = (product: string, body: unknown) =>
    admin(`/v1/admin/releases/${product}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const alert = (body: unknown) =>
    admin("/v1/admin/alerts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("PUT sets and replaces a release; GET lists them", async () => {
    expect((await put("rel", { version: "1.0.0" })).status).toBe(200);
    const res = await put("rel", { version: "1.1.0", info: "Faster", url: "https://example.com/1.1.0" });
    expect(releaseAnswer.parse(await res.json()).release).toMatchObject({
      product: "rel",
      version: "1.1.0",
      info: "Faster",
    });
    const list = releasesAnswer.parse(await (await admin("/v1/admin/releases")).json());
    expect(list.items.filter((r) => r.product === "rel")).toEqual([expect.objectContaining({ version: "1.1.0" })]);
  });

  it("DELETE removes a release (204); installations are no longer told to upgrade; unknown -> 404", async () => {
    expect((await put("gone", { version: "2.0.0" })).status).toBe(200);
    expect((await put("kept", { version: "1.0.0" })).status).toBe(200);
    const del = await admin("/v1/admin/releases/gone", { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    const list = releasesAnswer.parse(await (await admin("/v1/admin/releases")).json());
    expect(list.items.map((r) => r.product)).toContain("kept");
    expect(list.items.map((r) => r.product)).not.toContain("gone");
    const again = await admin("/v1/admin/releases/gone", { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe("not_found");
    expect(await errorCode(await admin("/v1/admin/releases/Bad%20Name", { method: "DELETE" }))).toBe("invalid_field");
  });

  it("rejects a release that is not semver, and bad fields", async () => {
    const bad = await put("rel", { version: "latest" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { path: string } }).error.path).toBe("$.version");
    expect(await errorCode(await put("rel", { version: "1.0.0", url: "not a url" }))).toBe("invalid_field");
    const badName = await put("Bad%20Name", { version: "1.0.0" });
    expect(((await badName.json()) as { error: unknown }).error).toMatchObject({
      code: "invalid_field",
      path: "$.product",
    });
  });

  it("creates, lists and deletes alerts", async () => {
    const res = await alert({
      product: "al",
      affects: ">=1.0.0 <1.2.3",
      level: "critical",
      message: "CVE-2026-1",
      url: "https://example.com/cve",
    });
    expect(res.status).toBe(201);
    const { alert: created } = alertAnswer.parse(await res.json());
    const list = alertsAnswer.parse(await (await admin("/v1/admin/alerts")).json());
    expect(list.items.map((a) => a.id)).toContain(created.id);
    expect((await admin(`/v1/admin/alerts/${created.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await admin(`/v1/admin/alerts/${created.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("rejects an alert with a bad range or level", async () => {
    const before = await count("alerts");
    expect(await errorCode(await alert({ product: "al", affects: "not a range!", level: "info", message: "m" }))).toBe(
      "invalid_field",
    );
    expect(await errorCode(await alert({ product: "al", affects: "*", level: "loud", message: "m" }))).toBe(
      "invalid_field",
    );
    expect(await count("alerts")).toBe(before);
  });
});

describe("admin API without a configured token", () => {
  it.each([
    ["empty", ""],
    ["shorter than 16 characters", "short-token"],
  ])("%s: closed (503 not_configured), never open, even for that very token", async (_n, token) => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const req = new Request<unknown, IncomingRequestCfProperties>("https://candor.test/v1/admin/instances", {
      headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": "203.0.113.44" },
    });
    const res = await worker.fetch(req, { ...env, ADMIN_TOKEN: token }, createExecutionContext());
    spy.mockRestore();
    expect(res.status).toBe(503);
    expect(await errorCode(res)).toBe("not_configured");
  });
});
