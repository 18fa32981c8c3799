import { describe, expect, it } from "vitest";
import { browserRef } from "../../schema/wire/browserRef";
import v2 from "../fixtures/protocols/ferretdb-v2.7.0-docker-1day.json?raw";
import { call, count, uuid } from "./helpers";
import { identityColumns, newIdentity, ping, rowsOf } from "./identity";

const beacon = (id: string) =>
  call("/", {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify({ ...(JSON.parse(v2) as object), uuid: id }),
  });
const submit = (rows: object[]) =>
  call("/submit", {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "FireflyIII/5.4.6" },
    body: JSON.stringify(rows),
  });
const row = (installation_id: string, key = "system.os.version", value = "Linux") => ({
  installation_id,
  collected_at: "Sat, 05 Dec 2020 10:14:03 +0100",
  type: "feature",
  key,
  value,
});

describe("installation identity on the protocol routes (keyless clients)", () => {
  it("FerretDB and Firefly III instances are keyless and carry their browser reference", async () => {
    const [ferret, firefly] = [uuid(), uuid()];
    expect((await beacon(ferret)).status).toBe(201);
    expect((await submit([row(firefly)])).status).toBe(200);
    expect(await identityColumns(ferret)).toEqual({ key_hash: null, browser_ref: await browserRef(ferret) });
    expect(await identityColumns(firefly)).toEqual({ key_hash: null, browser_ref: await browserRef(firefly) });
  });

  it("FerretDB: a uuid someone registered a key for is refused 403 with nothing written", async () => {
    const who = await newIdentity();
    expect((await ping(who.id, who.key)).status).toBe(200);
    const before = await rowsOf(who);
    const res = await beacon(who.id);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("instance_key_mismatch");
    expect(await rowsOf(who)).toEqual(before);
  });

  it("Firefly III: rows of such an id are dropped, the rest of the batch is stored, and the answer is 200", async () => {
    const who = await newIdentity();
    expect((await ping(who.id, who.key)).status).toBe(200);
    const before = await rowsOf(who);
    const other = uuid();
    const unattributed = await count("unattributed_facts");
    const res = await submit([
      row(who.id, "system.php.version", "8.0.1"),
      row(other),
      row("empty", "admin.update.channel", "beta"),
    ]);
    expect(res.status).toBe(200);
    expect(await rowsOf(who)).toEqual(before);
    expect(await count(`facts WHERE instance_id = '${other}'`)).toBe(1);
    expect(await count("unattributed_facts")).toBe(unattributed + 1);
  });
});
