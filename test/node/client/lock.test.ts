import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { FILES } from "../../../client/node/state/files.ts";
import { acquireLock, isStale, LOCK_STALE_MS, readLock } from "../../../client/node/lock/reporterLock.ts";
import { localServer, pingAnswer, tempDir } from "./helpers.ts";

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill("SIGKILL")));

/** Starts a replica; resolves with its first report line. */
function replica(
  dir: string,
  endpoint: string,
): { child: ChildProcess; first: Promise<{ pid: number; status: string }> } {
  const child = spawn(process.execPath, [path.resolve("test/node/client/lockChild.ts"), dir, endpoint], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  const first = new Promise<{ pid: number; status: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (l) => resolve(JSON.parse(l)));
    child.once("exit", (code) => reject(new Error(`replica exited early with ${code}`)));
  });
  return { child, first };
}

describe("single reporter per state dir (real processes)", () => {
  it("of two processes sharing a state dir only one reports; a dead holder's lock is taken over", async () => {
    const s = await localServer(() => ({ status: 200, body: pingAnswer() }));
    try {
      const dir = await tempDir();
      const a = replica(dir, s.url);
      const b = replica(dir, s.url);
      const outcomes = await Promise.all([a.first, b.first]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["sent", "skipped"]);
      expect(s.pings()).toHaveLength(1);
      const holder = outcomes.find((o) => o.status === "sent")!;
      expect((await readLock(dir))?.info?.pid).toBe(holder.pid);

      // The holder dies without cleaning up: its lock stays behind, naming a dead pid.
      const dead = [a, b].find((r) => r.child.pid === holder.pid)!.child;
      await new Promise((r) => {
        dead.once("exit", r);
        dead.kill("SIGKILL");
      });
      expect((await readLock(dir))?.info?.pid).toBe(holder.pid);
      const c = replica(dir, s.url);
      expect((await c.first).status).toBe("sent");
      expect(s.pings()).toHaveLength(2);
      expect((await readLock(dir))?.info?.pid).toBe(c.child.pid);
    } finally {
      await s.close();
    }
  });
});

describe("lock file", () => {
  it("is exclusive within a process too, and released only by its holder", async () => {
    const dir = await tempDir();
    const first = await acquireLock(dir);
    expect(first).toBeDefined();
    expect(await acquireLock(dir)).toBeUndefined();
    expect((await fs.stat(path.join(dir, FILES.lock))).mode & 0o777).toBe(0o600);
    await first!.release();
    const second = await acquireLock(dir);
    expect(second).toBeDefined();
    await first!.release(); // not the holder any more: a no-op
    expect(await second!.held()).toBe(true);
    await second!.release();
  });

  it("a lock from another host is stale only when not refreshed for LOCK_STALE_MS", async () => {
    const dir = await tempDir();
    const file = path.join(dir, FILES.lock);
    await fs.writeFile(file, JSON.stringify({ pid: 1, hostname: `not-${os.hostname()}`, token: "t", createdAt: 0 }));
    const now = Date.now();
    expect(await acquireLock(dir, now)).toBeUndefined();
    const lock = (await readLock(dir))!;
    expect(isStale(lock, lock.mtimeMs + LOCK_STALE_MS - 1)).toBe(false);
    expect(isStale(lock, lock.mtimeMs + LOCK_STALE_MS + 1)).toBe(true);
    const taken = await acquireLock(dir, lock.mtimeMs + LOCK_STALE_MS + 1);
    expect(taken).toBeDefined();
    expect((await readLock(dir))?.info?.pid).toBe(process.pid);
    expect((await fs.readdir(dir)).filter((f) => f.includes("stale"))).toEqual([]);
  });

  it("a lock naming this host and this pid but a token this process does not hold is stale (a restarted container's pid 1)", async () => {
    const dir = await tempDir();
    const left = {
      pid: process.pid,
      hostname: os.hostname(),
      token: "left-by-an-earlier-process",
      createdAt: Date.now(),
    };
    await fs.writeFile(path.join(dir, FILES.lock), JSON.stringify(left));
    expect(isStale((await readLock(dir))!, Date.now())).toBe(true);
    const taken = await acquireLock(dir);
    expect(taken).toBeDefined();
    const now = (await readLock(dir))!;
    expect(now.info).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    expect(now.info!.token).not.toBe(left.token);
    expect(isStale(now, Date.now())).toBe(false); // the live lock of this very process is not
    await taken!.release();
  });
});
