import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Telemetry } from "../../../client/node/telemetry.ts";
import { FILES } from "../../../client/node/state/files.ts";
import { loadLedger, pendingRecords } from "../../../client/node/ledger/ledger.ts";
import type { TelemetryOptions } from "../../../client/node/options.ts";
import { runCli } from "../../../client/node/cli/runCli.ts";
import { localServer, pingAnswer, tempDir } from "./helpers.ts";

const clients: Telemetry[] = [];
afterEach(async () => void (await Promise.all(clients.splice(0).map((c) => c.stop()))));

function client(over: Partial<TelemetryOptions> & { dir: string }) {
  const t = new Telemetry({
    product: "demo",
    endpoint: "http://127.0.0.1:9",
    argv: [],
    env: {},
    productDefault: "undecided",
    startupDelayMs: 3_600_000,
    undecidedDelayMs: 3_600_000,
    log: () => {},
    ...over,
  });
  clients.push(t);
  return t;
}
const cli = (args: string[]) => runCli([...args, "--product", "demo"], {}, { out: () => {}, err: () => {}, env: {} });
const keys = async (dir: string) =>
  pendingRecords(await loadLedger(dir)).map((e) => (e.kind === "exception" ? e.message : e.key));

describe("the admin setting is the host's admin UI: not locked", () => {
  it("enable()/disable() change the admin setting and are accepted", async () => {
    const dir = await tempDir();
    const t = client({ dir, admin: "no" });
    expect(await t.start()).toEqual({ state: "disabled", locked: false, reason: "disabled by the admin setting" });
    const on = await t.enable();
    expect(on).toMatchObject({
      ok: true,
      decision: { state: "enabled", locked: false, reason: "enabled by the admin setting" },
    });
    await t.feature("after-enable", "1");
    expect(await keys(dir)).toEqual(["after-enable"]);
    expect((await t.disable()).decision).toMatchObject({ state: "disabled", reason: "disabled by the admin setting" });
    await t.feature("after-disable", "1");
    expect(await keys(dir)).toEqual(["after-enable"]);
  });

  it("the config file still refuses them, with a reason naming the config file", async () => {
    const t = client({ dir: await tempDir(), config: false, admin: "yes" });
    expect(await t.start()).toMatchObject({ state: "disabled", locked: true });
    const refused = await t.enable();
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain("config file");
    expect(t.decision?.state).toBe("disabled");
    expect((await t.disable()).ok).toBe(true); // already what the config file says
  });
});

describe("records re-check the persisted state", () => {
  it("a CLI disable stops collection at once, without waiting for the next report; enable resumes it", async () => {
    const dir = await tempDir();
    const t = client({ dir });
    await t.start();
    await t.feature("before", "1");
    expect(await cli(["disable", "--dir", dir])).toBe(0);
    await t.feature("while-disabled", "1");
    await t.recurring("while-disabled-too", "1");
    await t.captureException(new Error("while disabled"));
    expect(await keys(dir)).toEqual(["before"]);
    expect(t.decision?.state).toBe("disabled");
    expect(await cli(["enable", "--dir", dir])).toBe(0);
    await t.feature("after", "1");
    expect(await keys(dir)).toEqual(["before", "after"]);
  });
});

describe("the ledger lock is never held across the host's collect()", () => {
  it("collect() runs while nobody holds the ledger lock", async () => {
    const s = await localServer(() => ({ status: 200, body: pingAnswer() }));
    try {
      const dir = await tempDir();
      const seen: boolean[] = [];
      const t = client({
        dir,
        endpoint: s.url,
        collect: () => (seen.push(existsSync(path.join(dir, FILES.ledgerLock))), { counts: { users: 1 } }),
      });
      await t.start();
      await t.feature("x", "1");
      expect((await t.submit()).status).toBe("sent");
      expect(seen).toEqual([false]);
      expect(await fs.readdir(dir)).not.toContain(FILES.ledgerLock);
    } finally {
      await s.close();
    }
  });
});
