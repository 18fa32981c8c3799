import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FILES } from "../../../client/node/state/files.ts";
import { Telemetry } from "../../../client/node/telemetry.ts";
import { deadEndpoint, localServer, pingAnswer, tempDir } from "./helpers.ts";

// The command line as an operator meets it: the bin's source run as a process (Node strips the types).
const CLI = path.resolve("client/node/cli/cli.ts");

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const server = localServer(() => ({ status: 200, body: pingAnswer() }));
afterAll(async () => (await server).close());

describe("the command line, polished", () => {
  it("DO_NOT_TRACK=1 submit is refused (exit 3) even with no endpoint known, and says how to change it", async () => {
    const dir = await tempDir();
    const r = await cli(["submit", "--product", "demo", "--dir", dir], { DO_NOT_TRACK: "1" });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^Refused: telemetry is disabled: disabled by DO_NOT_TRACK=1\. Unset DO_NOT_TRACK/);
  });

  it("--endpoint not-a-url is a usage error (exit 2) and queues nothing", async () => {
    const dir = await tempDir();
    const r = await cli(["submit", "--product", "demo", "--dir", dir, "--endpoint", "not-a-url"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--endpoint "not-a-url" is not an http\(s\) URL/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("an unreachable server is named in words, not `TypeError: fetch failed`", async () => {
    const dir = await tempDir();
    const r = await cli(["submit", "--product", "demo", "--dir", dir, "--endpoint", await deadEndpoint()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not be reached \(connection refused\)/);
    expect(r.stderr).not.toMatch(/TypeError|fetch failed/);
  });

  it("status shows the endpoint, the next report and what undecided means", async () => {
    const dir = await tempDir();
    const url = (await server).url;
    const t = new Telemetry({
      product: "demo",
      endpoint: url,
      dir,
      argv: [],
      env: {},
      log: () => {},
      noticeVersion: 0,
    });
    await t.open();
    const r = await cli(["status", "--product", "demo", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`endpoint:     ${url}`);
    expect(r.stdout).toMatch(/next report: {2}undecided: .*first report goes 1 h after the host starts/);
    const j = JSON.parse((await cli(["status", "--product", "demo", "--dir", dir, "--json"])).stdout) as Record<
      string,
      unknown
    >;
    expect(j).toMatchObject({ endpoint: url, state: "undecided" });
    expect(j.nextReport).toMatch(/1 h/);
  });

  it("help and --help work without --product; an unknown flag gets one line and the usage", async () => {
    for (const args of [["help"], ["--help"]]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: candor-telemetry/);
    }
    const bad = await cli(["status", "--product", "demo", "--bogus"]);
    expect(bad.code).toBe(2);
    const [first, blank, usage] = bad.stderr.split("\n");
    expect(first).toMatch(/Unknown option '--bogus'/);
    expect([blank, usage]).toEqual(["", "Usage: candor-telemetry <command> [options]"]);
  });

  it("--product is validated as a slug", async () => {
    const r = await cli(["status", "--product", "../../etc"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a product slug/);
  });

  it("the ledger shows each report's version; forget says what happens to the id", async () => {
    const dir = await tempDir();
    const url = (await server).url;
    const t = new Telemetry({
      product: "demo",
      version: "2.1.0",
      endpoint: url,
      dir,
      argv: [],
      env: {},
      productDefault: "enabled",
      log: () => {},
      noticeVersion: 0,
    });
    await t.start();
    expect((await t.submit()).status).toBe("sent");
    await t.stop();
    const ledger = await cli(["ledger", "--product", "demo", "--dir", dir]);
    expect(ledger.stdout).toMatch(/report demo version 2\.1\.0/);
    const id = JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8")).instanceId as string;
    const local = await cli(["forget", "--product", "demo", "--dir", dir, "--local-only"]);
    expect(local.code).toBe(0);
    expect(local.stdout).toContain(`the server was not asked, so it still holds what installation ${id} reported`);
    expect(local.stdout).toMatch(/new random installation id .*(made now|next time demo starts)/);
  });

  it("a refusal because of the host's decision says how to change it", async () => {
    const dir = await tempDir();
    const t = new Telemetry({
      product: "demo",
      endpoint: (await server).url,
      dir,
      argv: ["node", "app.js", "--telemetry=disable"],
      env: {},
      log: () => {},
      noticeVersion: 0,
    });
    await t.open();
    const r = await cli(["enable", "--product", "demo", "--dir", dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Remove or change --telemetry=\.\.\. on demo's command line, then restart it\./);
  });
});
