import { beforeAll, describe, expect, it } from "vitest";
import { pingResponse } from "../../schema";
import { admin, post, uuid } from "./helpers";

const json = (body: unknown) => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const ping = async (version: string | undefined, product = "upd") =>
  pingResponse.parse(await (await post("/v1/ping", { instanceId: uuid(), product, version })).json());

describe("upgrade notices and targeted alerts", () => {
  let critical = "";
  let beta = "";
  beforeAll(async () => {
    await admin("/v1/admin/releases/upd", {
      method: "PUT",
      ...json({ version: "1.2.0", info: "Security fixes", url: "https://example.com/r/1.2.0" }),
    });
    const a = await admin("/v1/admin/alerts", {
      method: "POST",
      ...json({ product: "upd", affects: "<1.1.0", level: "critical", message: "RCE", url: "https://example.com/a" }),
    });
    critical = ((await a.json()) as { alert: { id: string } }).alert.id;
    const b = await admin("/v1/admin/alerts", {
      method: "POST",
      ...json({ product: "upd", affects: "1.3.0-rc.1", level: "warning", message: "bad rc" }),
    });
    beta = ((await b.json()) as { alert: { id: string } }).alert.id;
    await admin("/v1/admin/alerts", {
      method: "POST",
      ...json({ product: "other", affects: "*", level: "info", message: "not yours" }),
    });
  });

  it.each([
    ["1.0.0", true, ["critical"]],
    ["v1.0.9", true, ["critical"]],
    ["1.1.0-beta.1", true, ["critical"]], // pre-release of 1.1.0 is below 1.1.0
    ["1.1.0", true, []],
    ["1.2.0-rc.2", true, []],
    ["1.2.0", false, []],
    ["1.3.0-rc.1", false, ["beta"]],
    ["2.0.0", false, []],
    ["not-a-version", false, []],
  ])("version %s: update %s, alerts %j", async (version, update, expected) => {
    const body = await ping(version);
    expect(body.latest_version).toBe("1.2.0");
    expect(body.update_available).toBe(update);
    expect(body.update_info).toEqual({ version: "1.2.0", info: "Security fixes", url: "https://example.com/r/1.2.0" });
    const ids = { critical, beta };
    expect(body.alerts.map((a) => a.id)).toEqual(expected.map((k) => ids[k as keyof typeof ids]));
  });

  it("alert fields are returned as the admin set them", async () => {
    const body = await ping("1.0.0");
    expect(body.alerts).toEqual([{ id: critical, level: "critical", message: "RCE", url: "https://example.com/a" }]);
  });

  it("no version: no update, no alerts; no release: nulls", async () => {
    const none = await ping(undefined);
    expect(none.update_available).toBe(false);
    expect(none.alerts).toEqual([]);
    const other = await ping("1.0.0", "no-release-product");
    expect(other).toMatchObject({ latest_version: null, update_available: false, update_info: null, alerts: [] });
  });
});
