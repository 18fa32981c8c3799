import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FILES } from "../../../client/node/state/files.ts";
import type { TelemetryOptions } from "../../../client/node/options.ts";
import { runCli } from "../../../client/node/cli/runCli.ts";
import { Telemetry } from "../../../client/node/telemetry.ts";
import { localServer, pingAnswer, tempDir } from "./helpers.ts";

const server = localServer((r) => (r.method === "DELETE" ? { status: 204 } : { status: 200, body: pingAnswer() }));
afterAll(async () => (await server).close());

async function cli(args: string[], dir: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [...args, "--product", "demo", "--dir", dir],
    {},
    { out: (s) => void out.push(s), err: (s) => void err.push(s), env },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A host that decided once (and recorded it), then the CLI's read-only commands and submit run before any toggle. */
async function hostThenCli(over: Partial<TelemetryOptions>) {
  const s = await server;
  const dir = await tempDir();
  await new Telemetry({ product: "demo", endpoint: s.url, dir, argv: [], env: {}, log: () => {}, ...over }).open();
  const decision = async () => JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8")).decision;
  const recorded = await decision();
  const pings = s.pings().length;
  for (const command of ["preview", "status", "ledger"]) expect((await cli([command], dir)).code, command).toBe(0);
  const submit = await cli(["submit"], dir);
  const status = JSON.parse((await cli(["status", "--json"], dir)).out);
  expect(await decision()).toEqual(recorded); // the CLI never rewrote the host's decision
  return { dir, submit, status, sent: s.pings().length - pings, decision };
}

describe("the CLI honours the host's recorded decision (it runs preview/status/submit first)", () => {
  it("an admin 'no': submit is refused and sends nothing; enable is refused (the admin setting is the host's)", async () => {
    const r = await hostThenCli({ admin: "no", productDefault: "enabled" });
    expect(r.submit.code).toBe(3);
    expect(r.sent).toBe(0);
    expect(r.status).toMatchObject({ state: "disabled", source: "admin" });
    const enable = await cli(["enable"], r.dir);
    expect(enable.code).toBe(3);
    expect(enable.err).toContain("admin setting");
    expect((await cli(["submit"], r.dir)).code).toBe(3);
    expect((await cli(["disable"], r.dir)).code).toBe(0); // already so
  });

  it("a config-file opt-out: submit and enable are refused, naming the config file", async () => {
    const r = await hostThenCli({ config: false, admin: "yes" });
    expect(r.submit.code).toBe(3);
    expect(r.sent).toBe(0);
    expect(r.status).toMatchObject({ state: "disabled", locked: true });
    const enable = await cli(["enable"], r.dir);
    expect(enable.code).toBe(3);
    expect(enable.err).toContain("config file");
    expect((await cli(["submit"], r.dir)).code).toBe(3);
    expect(r.sent).toBe(0);
  });

  it("a licence: disable is refused", async () => {
    const r = await hostThenCli({ licensed: true });
    expect(r.submit.code).toBe(0);
    const disable = await cli(["disable"], r.dir);
    expect(disable.code).toBe(3);
    expect(disable.err).toContain("licence");
  });

  it("an opt-in product (default disabled): submit is refused until the operator enables it", async () => {
    const r = await hostThenCli({ productDefault: "disabled" });
    expect(r.submit.code).toBe(3);
    expect(r.sent).toBe(0);
    expect((await cli(["enable"], r.dir)).code).toBe(0);
    const sub = await cli(["submit", "--json"], r.dir);
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.out)).toMatchObject({ status: "sent" });
  });
});

describe("forget in debug mode", () => {
  it("prints the DELETE it would send, sends nothing and deletes nothing", async () => {
    const s = await server;
    const dir = await tempDir();
    const host = new Telemetry({
      product: "demo",
      endpoint: s.url,
      dir,
      argv: [],
      env: {},
      productDefault: "undecided",
      log: () => {},
    });
    await host.open();
    await host.submit();
    const id = host.instanceId!;
    const before = await fs.readFile(path.join(dir, FILES.state), "utf8");
    const deletes = () => s.received.filter((r) => r.method === "DELETE").length;
    const n = deletes();
    const out = await cli(["forget"], dir, { DEMO_TELEMETRY_DEBUG: "1" });
    expect(out.code).toBe(0);
    expect(out.out).toContain(`DELETE ${s.url}/v1/instances/${id}`);
    expect(out.out).toContain("nothing sent");
    const json = JSON.parse((await cli(["forget", "--json"], dir, { DEMO_TELEMETRY_DEBUG: "1" })).out);
    expect(json).toMatchObject({ debug: true, request: { method: "DELETE", url: `${s.url}/v1/instances/${id}` } });
    expect(deletes()).toBe(n);
    expect(await fs.readFile(path.join(dir, FILES.state), "utf8")).toBe(before);
    for (const f of [FILES.ledger, FILES.lastReport]) expect(existsSync(path.join(dir, f))).toBe(true);
  });
});
