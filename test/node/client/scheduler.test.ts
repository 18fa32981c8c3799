import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { jittered, Scheduler } from "../../../client/node/report/scheduler.ts";

const H = 3_600_000;
const D = 24 * H;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function counter() {
  const runs: number[] = [];
  const run = async () => void runs.push(Date.now());
  return { runs, run };
}

describe("scheduler", () => {
  it("first report after the startup delay (default 10 s), then every 24 h within 3/4..5/4", async () => {
    const { runs, run } = counter();
    const s = new Scheduler(run, { random: () => 0.5 });
    const t0 = Date.now();
    s.start("enabled");
    await vi.advanceTimersByTimeAsync(9_999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([t0 + 10_000]);
    await vi.advanceTimersByTimeAsync(D);
    expect(runs).toEqual([t0 + 10_000, t0 + 10_000 + D]);
    await s.stop();
  });

  it("jitter stays between 3/4 and 5/4 of the period at the extremes of random()", async () => {
    expect(jittered(D, () => 0)).toBe(0.75 * D);
    expect(jittered(D, () => 0.999999)).toBeLessThanOrEqual(1.25 * D);
    expect(jittered(D, () => 0.999999)).toBeGreaterThan(1.24 * D);
    for (const r of [0, 0.999999]) {
      const { runs, run } = counter();
      const s = new Scheduler(run, { startupDelayMs: 0, random: () => r });
      s.start("enabled");
      await vi.advanceTimersByTimeAsync(0);
      expect(runs).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(0.75 * D - 1);
      expect(runs).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(0.5 * D + 1);
      expect(runs).toHaveLength(2);
      const gap = runs[1]! - runs[0]!;
      expect(gap).toBeGreaterThanOrEqual(0.75 * D);
      expect(gap).toBeLessThanOrEqual(1.25 * D);
      await s.stop();
    }
  });

  it("undecided waits one hour before its first report", async () => {
    const { runs, run } = counter();
    const s = new Scheduler(run);
    s.start("undecided");
    await vi.advanceTimersByTimeAsync(H - 1);
    expect(runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(1);
    await s.stop();
  });

  it("waits for the host to say it is initialised", async () => {
    const { runs, run } = counter();
    const s = new Scheduler(run, {}, false);
    s.start("enabled");
    await vi.advanceTimersByTimeAsync(H);
    expect(runs).toHaveLength(0);
    expect(s.pending).toBe(true);
    s.markInitialised();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    // Initialised before the delay: the delay still applies.
    const late = counter();
    const s2 = new Scheduler(late.run, {}, false);
    s2.start("enabled");
    s2.markInitialised();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(late.runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(late.runs).toHaveLength(1);
    await s.stop();
    await s2.stop();
  });

  it("disabled schedules nothing; becoming disabled cancels what is pending; re-enabling starts over", async () => {
    const { runs, run } = counter();
    const s = new Scheduler(run);
    s.start("disabled");
    expect(s.pending).toBe(false);
    await vi.advanceTimersByTimeAsync(2 * D);
    expect(runs).toHaveLength(0);
    s.setState("enabled");
    expect(s.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(1);
    s.setState("disabled");
    expect(s.pending).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * D);
    expect(runs).toHaveLength(1);
    await s.stop();
  });

  it("stop() cancels every timer", async () => {
    const { runs, run } = counter();
    const s = new Scheduler(run);
    s.start("enabled");
    await s.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * D);
    expect(runs).toHaveLength(0);
  });

  it("every timer is unref()ed", async () => {
    const unref = vi.fn();
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const t = real(fn, ms);
      const origUnref = t.unref.bind(t);
      t.unref = () => (unref(), origUnref());
      return t;
    }) as typeof setTimeout);
    const { run } = counter();
    const s = new Scheduler(run, { startupDelayMs: 0 });
    s.start("enabled");
    await vi.advanceTimersByTimeAsync(0);
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(2); // the startup timer and the next period's
    expect(unref).toHaveBeenCalledTimes(spy.mock.calls.length);
    await s.stop();
  });
});

describe("no timer keeps the host alive (a real process)", () => {
  it("a process that started the client with a 1 h delay exits on its own at once", () => {
    vi.useRealTimers();
    const script = `
      import { Scheduler } from ${JSON.stringify(path.resolve("client/node/report/scheduler.ts"))};
      const s = new Scheduler(async () => { console.log("ran"); }, { startupDelayMs: 3600000 });
      s.start("enabled");
      console.log("started");
    `;
    // Without unref() the child would sit on its timer for an hour and the test would time out.
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe("started");
  });
});
