import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { FILES } from "../../../client/node/state/files.ts";
import { localServer, pingAnswer, tempDir } from "./helpers.ts";

// Promises the Node client makes to its host, tried in real host processes (hostChild.ts):
// telemetry never crashes, hangs or overrules the process that embeds it.

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill("SIGKILL")));

type Line = Record<string, unknown> & { event: string; logs: string[] };

/** Runs a host; resolves with its JSON lines once `until` matches one (or rejects if it exits first). */
function host(scenario: Record<string, unknown>, until: (l: Line) => boolean) {
  const child = spawn(process.execPath, [path.resolve("test/node/client/hostChild.ts"), JSON.stringify(scenario)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const lines: Line[] = [];
  const done = new Promise<Line[]>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (l) => {
      lines.push(JSON.parse(l) as Line);
      if (until(lines.at(-1)!)) resolve(lines);
    });
    child.once("exit", (code) => reject(new Error(`host exited with ${code} before the end: ${stderr}`)));
  });
  return { child, done };
}

const endpointDead = "http://127.0.0.1:9";

describe("an unusable state dir never harms the host", () => {
  const cases: Array<[string, (base: string) => Promise<string>]> = [
    ["a file where the state dir should be (ENOTDIR)", async (base) => {
      await fs.writeFile(path.join(base, "file"), "x");
      return path.join(base, "file", "demo");
    }],
    ["telemetry.json is a directory (EISDIR)", async (base) => {
      await fs.mkdir(path.join(base, FILES.state), { recursive: true });
      return base;
    }],
  ]; // prettier-ignore
  for (const [name, make] of cases)
    it(`${name}: start() resolves with telemetry off and the reason, records are no-ops, stop() resolves`, async () => {
      const dir = await make(await tempDir());
      const [line] = await host({ dir, endpoint: endpointDead, scenario: "unusable" }, (l) => l.event === "done").done;
      const d = line!.decision as { state: string; reason: string };
      expect(d.state).toBe("disabled");
      expect(d.reason).toMatch(/state dir .* cannot be used \((ENOTDIR|EISDIR)\)/);
      expect(line!.current).toEqual(d);
      expect(line!.logs.join("\n")).toMatch(/telemetry is off: the state dir/);
    });

  it.skipIf(process.getuid?.() === 0)("a read-only state dir (EACCES): telemetry off with the reason", async () => {
    const dir = await tempDir();
    await fs.chmod(dir, 0o500);
    const [line] = await host({ dir, endpoint: endpointDead, scenario: "unusable" }, (l) => l.event === "done").done;
    expect((line!.decision as { reason: string }).reason).toMatch(/EACCES/);
  });
});

describe("every host callback has a deadline", () => {
  it("a collect() that never resolves: stop() sends the final report without platform data within ~3 s", async () => {
    const s = await localServer(() => ({ status: 200, body: pingAnswer() }));
    try {
      const dir = await tempDir();
      const [line] = await host({ dir, endpoint: s.url, scenario: "collectHangs" }, (l) => l.event === "done").done;
      expect(line!.stopMs as number).toBeLessThan(10_000);
      expect(s.pings()).toHaveLength(1);
      expect(JSON.parse(s.pings()[0]!.body)).not.toHaveProperty("platform");
      expect(line!.logs.join("\n")).toMatch(/collect\(\) took longer than 3000 ms/);
    } finally {
      await s.close();
    }
  });

  it("a disabled start() does not wait for collect(), and stop() does not either", async () => {
    const dir = await tempDir();
    const [line] = await host(
      { dir, endpoint: endpointDead, scenario: "collectHangs", productDefault: "disabled" },
      (l) => l.event === "done",
    ).done;
    expect((line!.decision as { state: string }).state).toBe("disabled");
    expect(line!.startMs as number).toBeLessThan(2_000);
    expect(line!.stopMs as number).toBeLessThan(2_000);
  });
});

describe("consent the host's user gave is never overruled", () => {
  it("an opt-out in a state file with a non-v4 id survives the repair, which is logged", async () => {
    const dir = await tempDir();
    await fs.writeFile(
      path.join(dir, FILES.state),
      JSON.stringify({ instanceId: "00000000-0000-0000-0000-000000000000", createdAt: 1, consent: "disabled" }),
    );
    const [line] = await host({ dir, endpoint: endpointDead, scenario: "unusable" }, (l) => l.event === "done").done;
    expect((line!.decision as { state: string; reason: string }).reason).toMatch(/saved choice/);
    expect((line!.decision as { state: string }).state).toBe("disabled");
    expect(line!.logs.join("\n")).toMatch(/repaired .*telemetry\.json: it was not a valid state file.*"disabled" kept/);
    const saved = JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8")) as { consent: string };
    expect(saved.consent).toBe("disabled");
  });

  it("a torn state file that still shows the opt-out keeps it", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, FILES.state), `{"instanceId": "9c1f", "consent": "disabled", "crea`);
    const [line] = await host({ dir, endpoint: endpointDead, scenario: "unusable" }, (l) => l.event === "done").done;
    expect((line!.decision as { state: string }).state).toBe("disabled");
    expect(line!.logs.join("\n")).toMatch(/repaired/);
  });

  it("the donottrack check reads the whole argv[0]: a .../donottrack/ directory disables", async () => {
    const dir = await tempDir();
    const argv = ["/opt/donottrack/bin/node", "/srv/app/main.js"];
    const [line] = await host({ dir, endpoint: endpointDead, scenario: "unusable", argv }, (l) => l.event === "done")
      .done;
    expect((line!.decision as { state: string; reason: string }).reason).toMatch(/donottrack/);
  });

  it("enable() during the undecided hour ends the delay: the first report goes after the startup delay", async () => {
    const s = await localServer(() => ({ status: 200, body: pingAnswer() }));
    try {
      const dir = await tempDir();
      const h = host(
        { dir, endpoint: s.url, scenario: "enableUndecided", productDefault: "undecided" },
        (l) => l.event === "report",
      );
      const lines = await h.done;
      expect((lines[0]!.decision as { state: string }).state).toBe("undecided");
      expect(lines.at(-1)!.status).toBe("sent");
      expect(s.pings()).toHaveLength(1);
      h.child.stdin!.end();
    } finally {
      await s.close();
    }
  });
});

describe("nothing private leaves the installation", () => {
  it("captureException scrubs e-mail, addresses, URL credentials, paths; keeps Error.cause; preview shows no planted value", async () => {
    const dir = await tempDir();
    const h = host({ dir, endpoint: endpointDead, scenario: "capture" }, (l) => l.event === "preview");
    const lines = await h.done;
    h.child.stdin!.end();
    const text = JSON.stringify(lines.at(-1)!.payload);
    for (const planted of ["jane.doe@acme.com", "10.20.30.40", "hunter2", "token=abc", "billing.acme.io", "ops@acme-corp.com", "10.9.8.7", "/srv/acme-corp-prod", "hunter3", path.dirname(path.resolve("test/node/client/hostChild.ts"))])
      expect(text).not.toContain(planted); // prettier-ignore
    expect(text).toContain("<email>");
    expect(text).toContain("Caused by: Error: connect ECONNREFUSED <ip>:5432");
    expect(text).toContain("hostChild.ts");
    expect(text).toContain('"users":3'); // counts and the licence type are kept
    expect(text).toContain('"type":"enterprise"');
  });
});
