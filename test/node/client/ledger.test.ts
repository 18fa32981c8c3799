import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FILES } from "../../../client/node/state/files.ts";
import { loadLedger, unsentReports } from "../../../client/node/ledger/ledger.ts";
import { mutateLedger, withLedgerLock } from "../../../client/node/lock/ledgerLock.ts";
import { addFeature } from "../../../client/node/ledger/records.ts";
import { localServer, pingAnswer, tempDir } from "./helpers.ts";

function child(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [path.resolve("test/node/client/ledgerChild.ts"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    c.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    c.once("exit", (code) => resolve({ code, stdout }));
  });
}

describe("ledger changes are atomic across processes", () => {
  it("two processes recording and one reporting into one state dir lose nothing", async () => {
    const s = await localServer(() => ({ status: 200, body: pingAnswer() }));
    try {
      const dir = await tempDir();
      const runs = await Promise.all([
        child(["record", dir, s.url, "a", "40"]),
        child(["record", dir, s.url, "b", "40"]),
        child(["report", dir, s.url, "8"]),
      ]);
      expect(runs).toEqual(Array(3).fill({ code: 0, stdout: "done\n" }));
      const ledger = await loadLedger(dir);
      const keys = ledger.entries.flatMap((e) => (e.kind === "feature" ? [e.key] : []));
      const want = [...Array.from({ length: 40 }, (_, i) => `a${i}`), ...Array.from({ length: 40 }, (_, i) => `b${i}`)];
      expect(keys.sort()).toEqual(want.sort());
      expect(Object.keys(ledger.features).sort()).toEqual(want.sort());
      const reports = ledger.entries.filter((e) => e.kind === "report");
      expect(reports).toHaveLength(8);
      expect(unsentReports(ledger)).toEqual([]); // each "sent" mark survived the others' writes
      expect(s.pings()).toHaveLength(8);
      expect(await fs.readdir(dir)).not.toContain(FILES.ledgerLock);
    } finally {
      await s.close();
    }
  });
});

describe("ledger lock", () => {
  it("applies the change to the ledger as it is on disk inside the lock", async () => {
    const dir = await tempDir();
    await Promise.all(Array.from({ length: 20 }, (_, i) => mutateLedger(dir, (l) => addFeature(l, `k${i}`, "v", i))));
    expect((await loadLedger(dir)).entries).toHaveLength(20);
  });

  it("takes over a lock left by a dead process; waits a bounded time for a live one, then fails", async () => {
    const dir = await tempDir();
    const file = path.join(dir, FILES.ledgerLock);
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.once("exit", r));
    await fs.writeFile(file, JSON.stringify({ pid: dead.pid, hostname: os.hostname(), token: "t" }));
    expect(await withLedgerLock(dir, async () => "ran")).toBe("ran");
    expect(await fs.readdir(dir)).not.toContain(FILES.ledgerLock);

    await fs.writeFile(file, JSON.stringify({ pid: process.ppid, hostname: os.hostname(), token: "live" }));
    let ran = false;
    await expect(withLedgerLock(dir, async () => void (ran = true), 3)).rejects.toThrow(/locked by another process/);
    expect(ran).toBe(false);
    expect(JSON.parse(await fs.readFile(file, "utf8")).token).toBe("live"); // not taken from its holder
  });

  it("a lock nobody refreshed for 10 s is taken over even when its holder cannot be checked", async () => {
    const dir = await tempDir();
    const file = path.join(dir, FILES.ledgerLock);
    await fs.writeFile(file, JSON.stringify({ pid: 1, hostname: "another-host", token: "old" }));
    const old = new Date(Date.now() - 11_000);
    await fs.utimes(file, old, old);
    expect(await withLedgerLock(dir, async () => "ran")).toBe("ran");
  });
});
