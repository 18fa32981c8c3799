import { execFile, execFileSync } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pingRequest } from "../../../schema/wire/ping.ts";
import { FILES } from "../../../client/node/state/files.ts";
import { Telemetry } from "../../../client/node/telemetry.ts";
import { deadEndpoint, localServer, pingAnswer, tempDir } from "./helpers.ts";

const ROOT = path.resolve(".");
const CLI = path.join(ROOT, "client/node/dist/cli.mjs");
// The bundle targets Node 18+: run it on the machine's own Node (20) when present, not only on 24.
const NODE = existsSync("/usr/bin/node") ? "/usr/bin/node" : process.execPath;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      NODE,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const server = localServer((r) => (r.method === "DELETE" ? { status: 204 } : { status: 200, body: pingAnswer() }));
beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, "client/packages.mjs")], { cwd: ROOT, stdio: "pipe" });
});
afterAll(async () => (await server).close());

describe("build", () => {
  it("bundles the library and the bin for Node 18+, small enough to embed", async () => {
    const lib = path.join(ROOT, "client/node/dist/index.mjs");
    const out = execFileSync(
      NODE,
      [
        "--input-type=module",
        "-e",
        `import(${JSON.stringify(lib)}).then((m) => console.log(Object.keys(m).sort().join(",")))`,
      ],
      { encoding: "utf8" },
    );
    for (const name of [
      "createTelemetry",
      "Telemetry",
      "decideConsent",
      "ConsentError",
      "runCli",
      "scrubber",
      "detectCi",
    ])
      expect(out).toContain(name);
    expect((await fs.stat(lib)).size).toBeLessThan(400_000);
    expect((await fs.readFile(CLI, "utf8")).startsWith("#!/usr/bin/env node")).toBe(true);
    const pkg = JSON.parse(await fs.readFile(path.join(ROOT, "client/node/package.json"), "utf8"));
    expect(pkg.bin["candor-telemetry"]).toBe("dist/cli.mjs");
  });
});

describe("candor-telemetry", () => {
  it("usage errors exit 2; --help exits 0", async () => {
    expect((await cli(["--help"])).code).toBe(0);
    expect((await cli(["--help"])).stdout).toContain("forget");
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect((await cli(["frobnicate", "--product", "demo"])).stderr).toContain('Unknown command "frobnicate"');
    expect((await cli(["frobnicate", "--product", "demo"])).code).toBe(2);
    expect((await cli(["status"])).stderr).toContain("--product");
    expect((await cli(["status", "--bogus"])).code).toBe(2);
  });

  it("status, enable and disable, with --json", async () => {
    const dir = await tempDir();
    const fresh = JSON.parse((await cli(["status", "--product", "demo", "--dir", dir, "--json"])).stdout);
    expect(fresh).toMatchObject({
      product: "demo",
      dir,
      instanceId: null,
      state: "undecided",
      locked: false,
      lastReport: null,
      reporter: null,
    });
    const on = await cli(["enable", "--product", "demo", "--dir", dir]);
    expect(on.code).toBe(0);
    expect(on.stdout).toContain("Telemetry enabled");
    expect(JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8")).consent).toBe("enabled");
    const status = await cli(["status", "--product", "demo", "--dir", dir]);
    expect(status.stdout).toMatch(/Telemetry of demo: enabled\n\s+reason:\s+enabled by a saved choice/);
    expect(status.stdout).toMatch(/installation: [0-9a-f-]{36}/);
    expect((await cli(["disable", "--product", "demo", "--dir", dir, "--json"])).stdout).toContain(
      '"state": "disabled"',
    );
  });

  it("refuses toggles when locked (exit 3, with the reason) and rejects unknown words (exit 2)", async () => {
    const dir = await tempDir();
    const dnt = await cli(["enable", "--product", "demo", "--dir", dir], { DO_NOT_TRACK: "1" });
    expect(dnt.code).toBe(3);
    expect(dnt.stderr).toContain("DO_NOT_TRACK=1");
    expect((await cli(["disable", "--product", "demo", "--dir", dir], { DO_NOT_TRACK: "1" })).code).toBe(0);
    const word = await cli(["status", "--product", "demo", "--dir", dir], { DEMO_TELEMETRY: "maybe" });
    expect(word.code).toBe(2);
    expect(word.stderr).toContain("DEMO_TELEMETRY");
    expect(word.stderr).toContain("opt-out");

    // A lock only the host knows (its licence) is respected through the state file.
    const host = new Telemetry({
      product: "demo",
      endpoint: "http://127.0.0.1:9",
      dir,
      argv: [],
      env: {},
      licensed: true,
      log: () => {},
    });
    await host.open();
    const lic = await cli(["disable", "--product", "demo", "--dir", dir]);
    expect(lic.code).toBe(3);
    expect(lic.stderr).toContain("licence");
  });

  it("preview prints the exact next payload; submit sends it; ledger lists it", async () => {
    const s = await server;
    const dir = await tempDir();
    const host = new Telemetry({
      product: "demo",
      version: "1.4.0",
      endpoint: s.url,
      dir,
      argv: [],
      env: {},
      productDefault: "enabled",
      log: () => {},
    });
    await host.open();
    await host.feature("sso", "on");
    const preview = await cli(["preview", "--product", "demo", "--dir", dir]);
    expect(preview.code).toBe(0);
    const payload = pingRequest.parse(JSON.parse(preview.stdout));
    expect(payload).toMatchObject({
      instanceId: host.instanceId,
      product: "demo",
      facts: [{ key: "sso", value: "on" }],
    });
    expect(s.pings()).toHaveLength(0);

    const before = s.pings().length;
    const sub = await cli(["submit", "--product", "demo", "--dir", dir, "--json"]);
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.stdout)).toMatchObject({ status: "sent" });
    expect(s.pings()).toHaveLength(before + 1);
    const ledger = JSON.parse((await cli(["ledger", "--product", "demo", "--dir", dir, "--json"])).stdout);
    expect(ledger.entries.map((e: { kind: string }) => e.kind).sort()).toEqual(["feature", "report"]);
    expect(ledger.entries.every((e: { submittedAt: number | null }) => e.submittedAt !== null)).toBe(true);
    expect((await cli(["ledger", "--product", "demo", "--dir", dir])).stdout).toContain("feature sso=on");

    const down = await cli(["submit", "--product", "demo", "--dir", dir, "--endpoint", await deadEndpoint()]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("queued");
    const debug = await cli(["submit", "--product", "demo", "--dir", dir], { DEMO_TELEMETRY_DEBUG: "1" });
    expect(debug.code).toBe(0);
    expect(debug.stderr).toContain('"instanceId"');
    expect(s.pings()).toHaveLength(before + 1); // neither the dead endpoint nor debug mode reached the server
  });

  it("forget asks the server to erase the installation, then deletes local state (and keeps a disable)", async () => {
    const s = await server;
    const dir = await tempDir();
    await cli(["disable", "--product", "demo", "--dir", dir]);
    const host = new Telemetry({ product: "demo", endpoint: s.url, dir, argv: [], env: {}, log: () => {} });
    await host.open();
    const id = host.instanceId!;
    const failed = await cli(["forget", "--product", "demo", "--dir", dir, "--endpoint", await deadEndpoint()]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8")).instanceId).toBe(id);
    const ok = await cli(["forget", "--product", "demo", "--dir", dir]);
    expect(ok.code).toBe(0);
    expect(s.received.filter((r) => r.method === "DELETE").map((r) => r.url)).toContain(`/v1/instances/${id}`);
    const state = JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8"));
    expect(state.instanceId).not.toBe(id);
    expect(state.consent).toBe("disabled");
    for (const f of [FILES.ledger, FILES.lastReport, FILES.answer]) expect(existsSync(path.join(dir, f))).toBe(false);
  });
});
