import { describe, expect, it } from "vitest";
import {
  CONSENT_SOURCES,
  decideConsent,
  decideWithSource,
  type ConsentInputs,
} from "../../../client/node/consent/decide.ts";

const base: ConsentInputs = { prefix: "FERRETDB", productDefault: "undecided" };
const decide = (over: Partial<ConsentInputs>) => decideConsent({ ...base, ...over });

describe("locks: only DO_NOT_TRACK, the executable, the licence, a flag, the env var and the config file", () => {
  it("the config file locks (an admin toggle could not take effect), with a reason naming the config file", () => {
    for (const admin of [undefined, true, false, "undecided"]) {
      const d = decide({ config: false, admin });
      expect(d).toMatchObject({ state: "disabled", locked: true });
      expect(d.reason).toContain("config file");
      expect(d.reason).toContain("admin setting");
    }
  });

  it("the admin setting decides over the saved choice and the default, but does not lock", () => {
    expect(decide({ admin: "no", persisted: "enabled", productDefault: "enabled" })).toEqual({
      state: "disabled",
      locked: false,
      reason: "disabled by the admin setting",
    });
    expect(decide({ admin: true, persisted: "disabled" })).toEqual({
      state: "enabled",
      locked: false,
      reason: "enabled by the admin setting",
    });
    // Only a flag or env choice (besides DO_NOT_TRACK, the executable and the licence) locks.
    expect(decide({ flag: "yes", admin: "no" })).toMatchObject({ state: "enabled", locked: true });
    expect(decide({ env: "no", admin: "yes" })).toMatchObject({ state: "disabled", locked: true });
  });

  it("decideWithSource names the input that decided; decideConsent returns exactly state, locked, reason", () => {
    const cases: Array<[Partial<ConsentInputs>, string]> = [
      [{ doNotTrack: "1" }, "do-not-track"],
      [{ executable: "x-donottrack" }, "executable"],
      [{ licensed: true }, "licence"],
      [{ flag: "no" }, "flag"],
      [{ env: "no" }, "env"],
      [{ config: "no" }, "config"],
      [{ admin: "no" }, "admin"],
      [{ persisted: "disabled" }, "saved"],
      [{}, "default"],
    ];
    expect(cases.map(([, s]) => s)).toEqual([...CONSENT_SOURCES]);
    for (const [inputs, source] of cases) expect(decideWithSource({ ...base, ...inputs }).source).toBe(source);
    expect(Object.keys(decide({ admin: "no" })).sort()).toEqual(["locked", "reason", "state"]);
  });
});
