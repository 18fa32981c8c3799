import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localServer, tempDir } from "./helpers.ts";

/** Runs an ES module script in a child Node; resolves when it exits, or with timedOut after `guardMs` (then it is killed). */
function run(script: string, guardMs = 30_000): Promise<{ code: number | null; stdout: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    const guard = setTimeout(() => child.kill("SIGKILL"), guardMs);
    child.once(
      "exit",
      (code, signal) => (clearTimeout(guard), resolve({ code, stdout, timedOut: signal === "SIGKILL" })),
    );
  });
}
const mod = (p: string) => JSON.stringify(path.resolve(p));

// Each child leaves one long timer pending (1 h): only an unref()ed timer lets it exit on its own.
describe("no timer keeps the host alive (real processes)", () => {
  it("the reporter lock's heartbeat", async () => {
    const dir = await tempDir();
    const out = await run(`
      import { ReporterSlot } from ${mod("client/node/lock/reporterSlot.ts")};
      const slot = new ReporterSlot(${JSON.stringify(dir)});
      console.log(await slot.hold(Date.now()) ? "holding" : "not holding");
    `);
    expect(out).toEqual({ code: 0, stdout: "holding\n", timedOut: false });
  });

  it("the backoff sleep between two attempts", async () => {
    const s = await localServer(() => ({ status: 503, body: {} }));
    try {
      const out = await run(`
        import { sendPing } from ${mod("client/node/report/transport.ts")};
        const payload = { instanceId: "6f1c2a4e-8b9d-4e2f-a1b3-c5d7e9f01234", product: "demo" };
        sendPing(${JSON.stringify(s.url)}, payload, "k", { attempts: 2, backoffMs: 3_600_000 }).then(() => console.log("second attempt"));
        console.log("sent");
      `);
      expect(out).toEqual({ code: 0, stdout: "sent\n", timedOut: false });
      expect(s.received).toHaveLength(1); // it exited during the backoff
    } finally {
      await s.close();
    }
  });
});
