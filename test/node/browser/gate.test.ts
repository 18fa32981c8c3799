import { afterEach, describe, expect, it, vi } from "vitest";
import type { Candor } from "../../../client/browser/candor.ts";
import { fakeDom } from "./fakeDom.ts";

afterEach(() => vi.unstubAllGlobals());
/** Resolves after every pending microtask (and so every settled promise reaction) has run. */
const drained = () => new Promise<string>((r) => setImmediate(() => r("still pending")));

describe("the script-tag gate (/candor.js)", () => {
  it("CandorPostHog() throwing in the script's onload: start() resolves load_failed, no listener left", async () => {
    const dom = fakeDom();
    await import("../../../client/browser/gate.ts");
    const w = window as unknown as { Candor: Candor; CandorPostHog?: () => never };
    const decision = w.Candor.start({ apiHost: "https://telemetry.test", token: "phc_x", license: { active: true } });
    await drained();
    const script = dom.doc.scripts[0]!;
    expect(script.src).toBe("https://telemetry.test/candor-posthog.js");
    w.CandorPostHog = () => {
      throw new Error("posthog init failed");
    };
    try {
      script.onload!();
    } catch {
      // before the fix the error escaped the handler and the load promise never settled
    }
    expect(await Promise.race([decision, drained()])).toEqual({ allowed: false, reason: "load_failed" });
    expect(dom.history.pushState).toBe(dom.original.pushState);
    expect([...dom.win.live, ...dom.doc.live]).toEqual([]);
  });
});
