/**
 * The real @sentry/node SDK, unchanged, pointed at Candor under `wrangler dev` with a DSN
 * `http://<key>@127.0.0.1:<port>/<project>`: a message, a handled error (gzip, > 32 KiB) and a
 * crash (an uncaught exception in a child process) arrive as a fact and as exception groups of
 * the installation named by the SDK's user id, and nothing private reaches D1.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "../../harness/runningWorker.ts";
import { eventually as settle } from "../../harness/eventually.ts";
import { startWranglerDev } from "../../harness/wranglerDev.ts";
import { ROOT } from "../run.ts";

const PROJECT = "4242";
const KEY = "e2esentrykey";
const PRODUCT = "acme";
const INSTANCE = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

/** Runs the product once; resolves with its exit code and output. */
function runApp(dsn: string, mode: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "test/node/sentry/sentryApp.ts"), dsn, mode], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

let worker: RunningWorker;
let dsn: string;
const sql = (q: string) => worker.query(q);

beforeAll(async () => {
  worker = await startWranglerDev({
    vars: {
      SENTRY_PROJECTS: JSON.stringify({ [PROJECT]: { product: PRODUCT, keys: [KEY] } }),
      SENTRY_MESSAGE_FACTS: JSON.stringify({ [PRODUCT]: ["Start watch"] }),
    },
  });
  const { host } = new URL(worker.url);
  dsn = `http://${KEY}@${host}/${PROJECT}`;
});
afterAll(async () => {
  await worker?.stop();
});

describe("@sentry/node 10 against wrangler dev", () => {
  it("a message, a handled error and a crash reach Candor", async () => {
    expect((await runApp(dsn, "message")).code).toBe(0);
    expect((await runApp(dsn, "handled")).code).toBe(0);
    const crash = await runApp(dsn, "crash");
    expect(crash.code).toBe(1); // the SDK flushed the fatal event, then exited like Node does
    expect(crash.out).toContain("TypeError");

    const exceptions = await settle(
      () => sql("SELECT * FROM exceptions ORDER BY type"),
      (r) => r.length >= 2,
    );
    expect(exceptions).toEqual([
      expect.objectContaining({
        instance_id: INSTANCE,
        product: PRODUCT,
        type: "Error",
        message: "handled: connect ECONNREFUSED <ip>:5432 for <email>",
        version: "1.2.3",
        handled: 1,
        fatal: 0,
      }),
      expect.objectContaining({
        instance_id: INSTANCE,
        product: PRODUCT,
        type: "TypeError",
        message: "crash reading <path>/config.yml",
        version: "1.2.3",
        handled: 0,
        fatal: 1,
      }),
    ]);
    for (const e of exceptions) {
      expect(e.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      // In-app frames only, innermost first, with the file's base name (no directories).
      expect(String(e.stack)).toMatch(/^ {4}at \S+ \(sentryApp\.ts:\d+:\d+\)(\n|$)/);
      expect(String(e.stack)).not.toContain("node_modules");
    }
  });

  it("the listed message is a fact of the installation; the other message is dropped", async () => {
    expect(await sql("SELECT key, value, instance_id FROM facts")).toEqual([
      { key: "sentry.message", value: "Start watch", instance_id: INSTANCE },
    ]);
    const [instance] = await sql("SELECT id, product, version FROM instances");
    expect(instance).toEqual({ id: INSTANCE, product: PRODUCT, version: "1.2.3" });
  });

  it("sessions count for the release (the crashed run as crashed)", async () => {
    const sessions = await settle(
      () => sql("SELECT version, sum(sessions) AS n, sum(crashed) AS crashed FROM release_sessions GROUP BY version"),
      (r) => r.length > 0 && Number(r[0]!.crashed) >= 1,
    );
    expect(sessions).toEqual([{ version: "1.2.3", n: 3, crashed: 1 }]);
  });

  it("nothing private reached D1", async () => {
    const tables = await sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    // One `wrangler d1 execute` with a SELECT per table (each spawn takes seconds).
    const dump = JSON.stringify(await sql(tables.map(({ name }) => `SELECT * FROM "${String(name)}";`).join(" ")));
    expect(dump).toContain("Start watch");
    for (const planted of ["alice", "example.com", "10.0.0.12", "PLANTED", "hunter2", "/home/", "not listed"]) {
      expect(dump.toLowerCase()).not.toContain(planted.toLowerCase());
    }
  });
});
