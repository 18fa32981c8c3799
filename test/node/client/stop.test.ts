import { afterEach, describe, expect, it, vi } from "vitest";
import { Telemetry } from "../../../client/node/telemetry.ts";
import { loadLedger, unsentReports } from "../../../client/node/ledger/ledger.ts";
import type { TelemetryOptions } from "../../../client/node/options.ts";
import { localServer, neverAnswers, tempDir } from "./helpers.ts";

afterEach(() => vi.useRealTimers());

function client(over: Partial<TelemetryOptions> & { endpoint: string; dir: string }) {
  return new Telemetry({
    product: "demo",
    version: "1.0.0",
    argv: [],
    env: {},
    productDefault: "enabled",
    startupDelayMs: 3_600_000,
    log: () => {},
    ...over,
  });
}

describe("stop() never holds up the host's exit", () => {
  it("the final report is one report, one attempt, no backoff, even with a backlog and a server that never answers", async () => {
    const hanging = await localServer(() => "hang");
    try {
      const dir = await tempDir();
      const sleeps: number[] = [];
      const transport = { timeoutMs: 50, attempts: 5, sleep: async (ms: number) => void sleeps.push(ms) };
      const t = client({ endpoint: hanging.url, dir, transport });
      await t.start();
      expect((await t.submit()).status).toBe("queued"); // the backlog: one unsent report...
      expect(hanging.pings()).toHaveLength(5); // ...after its 5 attempts
      const before = { pings: hanging.pings().length, sleeps: sleeps.length };
      await t.stop();
      expect(hanging.pings().length - before.pings).toBe(1); // only the final report, once; the backlog waits for the next start
      expect(sleeps.length - before.sleeps).toBe(0);
      expect(unsentReports(await loadLedger(dir))).toHaveLength(2);
    } finally {
      await hanging.close();
    }
  });

  it("the final attempt is cut off after 3 s even when the host configured a longer timeout (fake timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const hang = neverAnswers();
    const t = client({
      endpoint: "http://127.0.0.1:9",
      dir: await tempDir(),
      transport: { fetch: hang.fetch, timeoutMs: 60_000, attempts: 4 },
    });
    await t.start();
    let stopped = false;
    const called = hang.nextCall();
    const stopping = t.stop().then(() => void (stopped = true));
    await called;
    await vi.advanceTimersByTimeAsync(2_999);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(hang.calls).toHaveLength(1);
    expect(hang.calls[0]!.signal.aborted).toBe(true);
  });

  it("stop() aborts a report in flight (no further attempts, no backoff) before the final one (fake timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    const hang = neverAnswers();
    const t = client({
      endpoint: "http://127.0.0.1:9",
      dir: await tempDir(),
      transport: { fetch: hang.fetch, timeoutMs: 60_000, attempts: 5, backoffMs: 600_000 },
    });
    await t.start();
    const first = hang.nextCall();
    const inFlight = t.submit();
    await first;
    const final = hang.nextCall();
    const stopping = t.stop();
    expect((await inFlight).status).toBe("queued"); // aborted at once: no 60 s timeout, no 10 min backoff
    await final;
    expect(hang.calls).toHaveLength(2); // the aborted attempt, then the final report's single attempt
    await vi.advanceTimersByTimeAsync(3_000);
    await stopping;
    expect(hang.calls).toHaveLength(2);
  });
});
