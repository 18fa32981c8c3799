import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { pingRequest } from "../../../schema/wire/ping.ts";
import { FILES } from "../../../client/node/state/files.ts";
import { loadLedger, pendingRecords, unsentReports } from "../../../client/node/ledger/ledger.ts";
import { readLastReport } from "../../../client/node/report/lastReport.ts";
import { deadEndpoint, tempDir } from "./helpers.ts";
import { useClients } from "./clients.ts";

const { server, client } = useClients();

describe("retry and spool", () => {
  it("a failed send stays in the ledger across a restart and is delivered once, with its records, after a 200", async () => {
    const dir = await tempDir();
    // Undecided behaves as enabled but stop() sends no final report: the counts below stay exact.
    const down = client({ endpoint: await deadEndpoint(), dir, productDefault: "undecided" });
    await down.start();
    await down.feature("sso", "on");
    await down.captureException(new Error("boom"));
    const first = await down.submit();
    expect(first.status).toBe("queued");
    let ledger = await loadLedger(dir);
    expect(unsentReports(ledger)).toHaveLength(1);
    expect(ledger.entries.every((e) => e.submittedAt === null)).toBe(true);
    const key = unsentReports(ledger)[0]!.id;
    await down.stop();

    // A 5xx is not success either: still unsent.
    const failing = await server(() => ({ status: 503, body: {} }));
    const still = client({ endpoint: failing.url, dir, productDefault: "undecided" });
    await still.start();
    expect((await still.submit()).status).toBe("queued");
    expect(failing.pings().map((r) => r.headers["idempotency-key"])).toEqual([key, key, key]);
    expect(unsentReports(await loadLedger(dir))).toHaveLength(2);
    await still.stop();

    // The "restart": a new client over the same dir, the server back up.
    const up = await server();
    const again = client({ endpoint: up.url, dir, productDefault: "undecided" });
    await again.start();
    const out = await again.submit();
    expect(out.status).toBe("sent");
    expect(up.pings()).toHaveLength(3); // the two spooled reports, then the new one
    const keys = up.pings().map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toBe(key); // oldest first, under its original key
    expect(new Set(keys).size).toBe(keys.length);
    const bodies = up.pings().map((r) => pingRequest.parse(JSON.parse(r.body)));
    expect(bodies.flatMap((b) => b.facts ?? []).map((f) => f.key)).toEqual(["sso"]);
    expect(bodies.flatMap((b) => b.exceptions ?? []).map((e) => e.message)).toEqual(["boom"]);
    ledger = await loadLedger(dir);
    expect(unsentReports(ledger)).toEqual([]);
    expect(pendingRecords(ledger)).toEqual([]);
    for (const e of ledger.entries) {
      expect(e.submittedAt).not.toBeNull();
      expect(e.serverUuid).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Nothing left to resend.
    await again.submit();
    expect(
      up
        .pings()
        .map((r) => r.headers["idempotency-key"])
        .filter((k) => k === key),
    ).toHaveLength(1);
  });
});

describe("debug mode", () => {
  it("DEMO_TELEMETRY_DEBUG=1 prints the exact payload to stderr and sends nothing", async () => {
    const dir = await tempDir();
    const s = await server();
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation(
      (chunk: string | Uint8Array) => (stderr.push(String(chunk)), true),
    );
    const t = client({ endpoint: s.url, dir, env: { DEMO_TELEMETRY_DEBUG: "1" }, startupDelayMs: 0 });
    await t.start();
    await t.feature("x", "1");
    const out = await t.submit();
    await t.stop(); // explicitly enabled: stop() reports too, still nothing is sent
    expect(out.status).toBe("debug");
    expect(s.received).toEqual([]);
    const printed = stderr.join("");
    expect(printed).toContain(`POST ${s.url}/v1/ping`);
    const json = printed.slice(printed.indexOf("{"), printed.lastIndexOf("}") + 1).split("\n}\n")[0] + "\n}";
    expect(pingRequest.parse(JSON.parse(json))).toEqual(out.payload);
    expect(out.payload?.facts?.map((f) => f.key)).toEqual(["x"]); // the exact payload, pending records included
    expect((await readLastReport(dir))?.status).toBe("debug");
    expect(unsentReports(await loadLedger(dir))).toEqual([]);
    expect(pendingRecords(await loadLedger(dir))).toHaveLength(1); // still waiting for a real report
  });
});

describe("disabled", () => {
  it("sends nothing, collects nothing, and still writes the report it would have sent", async () => {
    const dir = await tempDir();
    const s = await server();
    const t = client({ endpoint: s.url, dir, env: { DO_NOT_TRACK: "1" }, collect: () => ({ counts: { users: 4 } }) });
    const d = await t.start();
    expect(d).toMatchObject({ state: "disabled", locked: true });
    await t.feature("x", "1");
    await t.captureException(new Error("e"));
    expect((await t.submit()).status).toBe("disabled");
    await t.stop();
    expect(s.received).toEqual([]);
    expect((await loadLedger(dir)).entries).toEqual([]);
    const last = await readLastReport(dir);
    expect(last).toMatchObject({ status: "disabled", serverUuid: null });
    expect(last!.payload).toMatchObject({ product: "demo", platform: { counts: { users: 4 } } });
    expect(last!.detail).toContain("DO_NOT_TRACK");
  });

  it("runtime toggles are refused when locked, and persist when not", async () => {
    const dir = await tempDir();
    const locked = client({ endpoint: "http://127.0.0.1:9", dir, env: { DEMO_TELEMETRY: "no" } });
    await locked.start();
    const refused = await locked.enable();
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain("DEMO_TELEMETRY=no");
    await locked.stop();
    const free = client({ endpoint: "http://127.0.0.1:9", dir, productDefault: "undecided" });
    await free.start();
    expect((await free.disable()).decision).toMatchObject({ state: "disabled", locked: false });
    expect(JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8")).consent).toBe("disabled");
    expect((await readLastReport(dir))?.status).toBe("disabled");
  });
});

describe("stop()", () => {
  it("sends a final report only when explicitly enabled", async () => {
    const s = await server();
    const undecided = client({ endpoint: s.url, dir: await tempDir(), productDefault: "undecided" });
    await undecided.start();
    await undecided.stop();
    expect(s.pings()).toHaveLength(0);
    const enabled = client({ endpoint: s.url, dir: await tempDir(), productDefault: "enabled" });
    await enabled.start();
    await enabled.stop();
    expect(s.pings()).toHaveLength(1);
  });
});
