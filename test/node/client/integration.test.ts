import { promises as fs } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Telemetry } from "../../../client/node/telemetry.ts";
import { loadLedger, unsentReports } from "../../../client/node/ledger/ledger.ts";
import { runCli } from "../../../client/node/cli/runCli.ts";
import type { TelemetryOptions } from "../../../client/node/options.ts";
import type { UpdateNotice } from "../../../client/node/report/answer.ts";
import type {
  InstanceExceptionsAnswer,
  InstanceFactsAnswer,
  InstancePingsAnswer,
  InstancesAnswer,
} from "../../../schema/wire/admin.ts";
import { tempDir } from "./helpers.ts";
import { drained } from "../../harness/eventually.ts";
import { startMiniflare } from "../../harness/miniflare.ts";
import type { RunningWorker } from "../../harness/runningWorker.ts";

// The worker and its bindings only (no static assets, no CLI): in-process through Miniflare, as
// deployed (INGEST_MODE=queue): a report is answered before the queue consumer stores it, so the
// reads below first wait for the queue to drain (drained).
let worker: RunningWorker;
beforeAll(async () => {
  worker = await startMiniflare();
});
afterAll(async () => worker?.stop());

const clients: Telemetry[] = [];
afterAll(async () => Promise.all(clients.map((c) => c.stop())));

async function client(over: Partial<TelemetryOptions> = {}) {
  const t = new Telemetry({
    product: "integ",
    version: "1.0.0",
    endpoint: worker.url,
    dir: await tempDir(),
    argv: [],
    env: {},
    productDefault: "undecided",
    noticeVersion: 0,
    log: () => {},
    transport: { sleep: async () => {} },
    ...over,
  });
  clients.push(t);
  await t.start();
  return t;
}

async function adminJson<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await worker.admin(p);
  return { status: res.status, body: (await res.json()) as T };
}

describe("instance client against the real worker (in-process through Miniflare)", () => {
  it("a report lands, with its facts and scrubbed exceptions, and the ledger holds the server's uuid", async () => {
    const t = await client({ collect: () => ({ counts: { users: 12 }, license: { type: "community" } }) });
    await t.feature("sso", "on");
    await t.recurring("users.bucket", "10-50", 7);
    await t.captureException(new Error(`cannot open ${os.homedir()}/db on ${os.hostname()}`));
    const out = await t.submit();
    expect(out).toMatchObject({ status: "sent" });
    const id = t.instanceId!;

    await drained(worker);
    const pings = await adminJson<InstancePingsAnswer>(`/v1/admin/instances/${id}/pings`);
    expect(pings.status).toBe(200);
    expect(pings.body.items).toHaveLength(1);
    expect(pings.body.items[0]).toMatchObject({
      uuid: out.serverUuid,
      version: "1.0.0",
      counts: { users: 12 },
      license_type: "community",
    });
    const facts = await adminJson<InstanceFactsAnswer>(`/v1/admin/instances/${id}/facts`);
    expect(facts.body.items.map((f) => `${f.kind}:${f.key}=${f.value}`).sort()).toEqual([
      "feature:sso=on",
      "recurring:users.bucket=10-50",
    ]);
    const ex = await adminJson<InstanceExceptionsAnswer>(`/v1/admin/instances/${id}/exceptions`);
    expect(ex.body.items).toHaveLength(1);
    expect(ex.body.items[0]!.message).toBe("cannot open <path>/db on <host>");
    expect(ex.body.groups).toHaveLength(1);

    const ledger = await loadLedger(t.dir);
    expect(ledger.entries).toHaveLength(4);
    for (const e of ledger.entries) expect(e.serverUuid).toBe(out.serverUuid);
  });

  it("an update notice and a targeted alert come back to the host", async () => {
    expect(
      (
        await worker.admin("/v1/admin/releases/integ", {
          method: "PUT",
          body: JSON.stringify({ version: "2.0.0", info: "Faster queries" }),
        })
      ).status,
    ).toBe(200);
    const alert = await worker.admin("/v1/admin/alerts", {
      method: "POST",
      body: JSON.stringify({
        product: "integ",
        affects: "<1.1.0",
        level: "critical",
        message: "CVE-2026-0001: upgrade now",
      }),
    });
    expect(alert.status).toBe(201);

    const heard: UpdateNotice[] = [];
    const logs: string[] = [];
    const old = await client({ version: "1.0.0", onUpdate: (n) => void heard.push(n), log: (l) => void logs.push(l) });
    expect((await old.submit()).status).toBe("sent");
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      latestVersion: "2.0.0",
      updateAvailable: true,
      updateInfo: { version: "2.0.0", info: "Faster queries" },
    });
    expect(heard[0]!.alerts.map((a) => [a.level, a.message])).toEqual([["critical", "CVE-2026-0001: upgrade now"]]);
    expect(logs).toContain("Update available: version 2.0.0 (Faster queries)");

    // The alert targets < 1.1.0 only.
    const newer: UpdateNotice[] = [];
    const mid = await client({ version: "1.5.0", onUpdate: (n) => void newer.push(n) });
    await mid.submit();
    expect(newer).toHaveLength(1);
    expect(newer[0]).toMatchObject({ updateAvailable: true, alerts: [] });
  });

  it("a report whose answer was lost is resent after a restart under the same key: no duplicate on the server", async () => {
    // A proxy that forwards the first ping to the worker but cuts the connection before the answer.
    let forwarded = 0;
    const proxy = createServer((req, res) => {
      const up = httpRequest(`${worker.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        forwarded++;
        answer.resume();
        answer.on("end", () => req.socket.destroy());
        void res;
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const dir = await tempDir();
      const first = await client({ dir, endpoint: proxyUrl, transport: { attempts: 1 } });
      await first.feature("spooled", "yes");
      expect((await first.submit()).status).toBe("queued");
      expect(forwarded).toBe(1); // the worker DID store it; the client could not know
      const [lost] = unsentReports(await loadLedger(dir));
      await first.stop();

      const restarted = await client({ dir });
      expect((await restarted.submit()).status).toBe("sent");
      const ledger = await loadLedger(dir);
      expect(unsentReports(ledger)).toEqual([]);
      const id = restarted.instanceId!;
      await drained(worker);
      const pings = await adminJson<InstancePingsAnswer>(`/v1/admin/instances/${id}/pings`);
      expect(pings.body.items).toHaveLength(2); // the lost one once, and the restart's own report
      const lostNow = ledger.entries.find((e) => e.id === lost!.id)!;
      expect(pings.body.items.map((p) => p.uuid)).toContain(lostNow.serverUuid);
      const facts = await adminJson<InstanceFactsAnswer>(`/v1/admin/instances/${id}/facts`);
      expect(facts.body.items.map((f) => f.key)).toEqual(["spooled"]);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it("forget erases the installation's rows on the server and the local state; knowing the id is not enough", async () => {
    const t = await client();
    await t.feature("to-forget", "1");
    await t.captureException(new Error("x"));
    expect((await t.submit()).status).toBe("sent");
    const id = t.instanceId!;
    await drained(worker);
    expect((await worker.admin(`/v1/admin/instances/${id}/facts`)).status).toBe(200);
    await t.stop();

    // Straight from the local D1 the worker writes (not through the worker's routes).
    const sql = (table: string, column: string) =>
      `(SELECT count(*) FROM ${table} WHERE ${column} = '${id}') AS ${table}`;
    const rows = () =>
      worker.query(
        `SELECT ${[sql("instances", "id"), sql("pings", "instance_id"), sql("facts", "instance_id"), sql("exceptions", "instance_id")].join(", ")}`,
      );
    expect(await rows()).toEqual([{ instances: 1, pings: 1, facts: 1, exceptions: 1 }]);
    // The worker derived the same browser reference as the client, and registered the key's digest only.
    const listed = await adminJson<InstancesAnswer>("/v1/admin/instances?limit=500");
    expect(listed.body.items.find((i) => i.id === id)).toMatchObject({
      browser_ref: t.browserRef,
      key_registered: true,
    });
    const { instanceKey } = JSON.parse(await fs.readFile(path.join(t.dir, "telemetry.json"), "utf8"));
    expect(JSON.stringify(await worker.query("SELECT * FROM instances"))).not.toContain(instanceKey);
    // Someone who knows only the id (e.g. from an old snippet's events) can neither erase nor impersonate.
    expect((await fetch(`${worker.url}/v1/instances/${id}`, { method: "DELETE" })).status).toBe(403);
    const impersonated = await fetch(`${worker.url}/v1/ping`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instanceId: id, product: "integ", version: "6.6.6" }),
    });
    // Queued (the default), the answer cannot know the registered key without a D1 read: 200, and
    // the consumer drops the ping (INGEST_MODE=direct answers 403 instance_key_mismatch).
    expect(impersonated.status).toBe(200);
    await drained(worker);
    expect(await rows()).toEqual([{ instances: 1, pings: 1, facts: 1, exceptions: 1 }]);
    expect(await worker.query(`SELECT version FROM instances WHERE id = '${id}'`)).toEqual([{ version: "1.0.0" }]);

    const out: string[] = [];
    const code = await runCli(
      ["forget", "--product", "integ", "--dir", t.dir],
      {},
      { out: (s) => void out.push(s), err: (s) => void out.push(s), env: {} },
    );
    expect(code).toBe(0);
    expect(out.join("\n")).toContain(`erased installation ${id}`);
    expect(await rows()).toEqual([{ instances: 0, pings: 0, facts: 0, exceptions: 0 }]);
    const list = await adminJson<InstancesAnswer>("/v1/admin/instances?limit=500");
    expect(list.body.items.map((i) => i.id)).not.toContain(id);
    // Forgetting again (or an id that never existed) is still 204.
    expect((await fetch(`${worker.url}/v1/instances/${id}`, { method: "DELETE" })).status).toBe(204);
  });
});
