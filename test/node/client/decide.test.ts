import { describe, expect, it } from "vitest";
import { decideConsent, type ConsentInputs } from "../../../client/node/consent/decide.ts";
import {
  ConsentError,
  FALSE_WORDS,
  TRUE_WORDS,
  UNDECIDED_WORDS,
  parseWord,
} from "../../../client/node/consent/words.ts";

const base: ConsentInputs = { prefix: "FERRETDB", productDefault: "undecided" };
const decide = (over: Partial<ConsentInputs>) => decideConsent({ ...base, ...over });
const variants = (w: string) => [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1), ` ${w} `];

describe("words", () => {
  for (const input of ["flag", "env", "config", "admin"] as const) {
    it(`every true word enables through ${input}, in any case`, () => {
      for (const w of TRUE_WORDS)
        for (const v of variants(w)) expect(decide({ [input]: v }).state, `${input}=${v}`).toBe("enabled");
    });
    it(`every false word disables through ${input}, in any case`, () => {
      for (const w of FALSE_WORDS)
        for (const v of variants(w)) expect(decide({ [input]: v }).state, `${input}=${v}`).toBe("disabled");
    });
    it(`undecided words through ${input} leave the decision to lower inputs`, () => {
      for (const w of [...UNDECIDED_WORDS, "UNDECIDED", "Undecided"]) {
        expect(decide({ [input]: w, productDefault: "enabled" })).toEqual({
          state: "enabled",
          locked: false,
          reason: "enabled by the product default",
        });
      }
    });
  }

  it("lists exactly FerretDB's words", () => {
    expect([...TRUE_WORDS].sort()).toEqual([
      "1",
      "allow",
      "enable",
      "enabled",
      "on",
      "opt-in",
      "optin",
      "t",
      "true",
      "y",
      "yes",
    ]);
    expect([...FALSE_WORDS].sort()).toEqual([
      "0",
      "disable",
      "disabled",
      "disallow",
      "f",
      "false",
      "forbid",
      "n",
      "no",
      "off",
      "opt-out",
      "optout",
    ]);
    expect(parseWord("x", true)).toBe("enabled");
    expect(parseWord("x", false)).toBe("disabled");
  });

  it("DO_NOT_TRACK with any true word disables and locks; a false or empty word does nothing", () => {
    for (const w of TRUE_WORDS)
      expect(decide({ doNotTrack: w.toUpperCase(), productDefault: "enabled" })).toMatchObject({
        state: "disabled",
        locked: true,
      });
    for (const w of [...FALSE_WORDS, ""])
      expect(decide({ doNotTrack: w, productDefault: "enabled" })).toMatchObject({ state: "enabled", locked: false });
  });

  it("an executable name containing donottrack disables and locks", () => {
    for (const exe of ["ferretdb-donottrack", "DoNotTrack-ferretdb", "node ferretdb_donottrack.js"]) {
      const d = decide({ executable: exe, productDefault: "enabled" });
      expect(d).toMatchObject({ state: "disabled", locked: true });
      expect(d.reason).toContain("donottrack");
    }
    expect(decide({ executable: "ferretdb", productDefault: "enabled" }).state).toBe("enabled");
  });
});

describe("errors", () => {
  const inputs: Array<[keyof ConsentInputs, string]> = [
    ["flag", "--telemetry"],
    ["env", "FERRETDB_TELEMETRY"],
    ["doNotTrack", "DO_NOT_TRACK"],
    ["config", "config file telemetry setting"],
    ["admin", "admin telemetry setting"],
  ];
  for (const [key, name] of inputs) {
    it(`an unknown word in ${name} is an error naming the input and every accepted word`, () => {
      let error: unknown;
      try {
        decide({ [key]: "maybe" });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConsentError);
      const e = error as ConsentError;
      expect(e.input).toBe(name);
      expect(e.message).toContain(name);
      expect(e.message).toContain('"maybe"');
      for (const w of [...TRUE_WORDS, ...FALSE_WORDS, "undecided"]) expect(e.message).toContain(w);
    });
  }

  it("an explicit enable by flag or env against DO_NOT_TRACK or the executable name is an error", () => {
    expect(() => decide({ doNotTrack: "1", flag: "yes" })).toThrow(/--telemetry=yes.*DO_NOT_TRACK=1/);
    expect(() => decide({ doNotTrack: "true", env: "on" })).toThrow(/FERRETDB_TELEMETRY=on.*DO_NOT_TRACK=true/);
    expect(() => decide({ executable: "x-donottrack", flag: "enable" })).toThrow(ConsentError);
    expect(() => decide({ executable: "x-donottrack", env: "1" })).toThrow(/donottrack/);
    // A disable, or an enable from config/admin, is not a contradiction worth failing for.
    expect(decide({ doNotTrack: "1", flag: "no" }).state).toBe("disabled");
    expect(decide({ doNotTrack: "1", config: true, admin: "yes" }).state).toBe("disabled");
  });
});

/** Each input, from the highest precedence to the lowest, and how to make it say enabled/disabled. */
type Source = { name: string; set: (s: "enabled" | "disabled") => Partial<ConsentInputs> | undefined; locks: boolean };
const sources: Source[] = [
  { name: "DO_NOT_TRACK", set: (s) => (s === "disabled" ? { doNotTrack: "1" } : undefined), locks: true },
  { name: "executable", set: (s) => (s === "disabled" ? { executable: "app-donottrack" } : undefined), locks: true },
  { name: "licence", set: (s) => (s === "enabled" ? { licensed: true } : undefined), locks: true },
  { name: "flag", set: (s) => ({ flag: s === "enabled" ? "yes" : "no" }), locks: true },
  { name: "env", set: (s) => ({ env: s === "enabled" ? "on" : "off" }), locks: true },
  { name: "config", set: (s) => ({ config: s === "enabled" }), locks: true },
  { name: "admin", set: (s) => ({ admin: s === "enabled" ? "allow" : "forbid" }), locks: false },
  { name: "persisted", set: (s) => ({ persisted: s }), locks: false },
  { name: "default", set: (s) => ({ productDefault: s }), locks: false },
];

describe("precedence: every pair, the higher input wins", () => {
  for (let hi = 0; hi < sources.length; hi++) {
    for (let lo = hi + 1; lo < sources.length; lo++) {
      for (const want of ["enabled", "disabled"] as const) {
        const other = want === "enabled" ? "disabled" : "enabled";
        const high = sources[hi]!.set(want);
        const low = sources[lo]!.set(other);
        if (!high || !low) continue;
        const name = `${sources[hi]!.name}=${want} over ${sources[lo]!.name}=${other}`;
        const contradictsDnt =
          hi <= 1 && want === "disabled" && (sources[lo]!.name === "flag" || sources[lo]!.name === "env");
        it(name, () => {
          if (contradictsDnt) {
            expect(() => decide({ ...low, ...high })).toThrow(ConsentError);
            return;
          }
          expect(decide({ ...low, ...high })).toMatchObject({ state: want, locked: sources[hi]!.locks });
        });
      }
    }
  }

  it("DO_NOT_TRACK beats the licence, and the reason says so", () => {
    const d = decide({ doNotTrack: "1", licensed: true });
    expect(d).toMatchObject({ state: "disabled", locked: true });
    expect(d.reason).toMatch(/DO_NOT_TRACK=1.*wins over the licence/);
    expect(decide({ executable: "donottrack", licensed: true }).reason).toMatch(/wins over the licence/);
  });

  it("the licence reason names the disables it overrode", () => {
    const d = decide({ licensed: true, flag: "no", config: false });
    expect(d).toMatchObject({ state: "enabled", locked: true });
    expect(d.reason).toContain("--telemetry");
    expect(d.reason).toContain("the config file");
  });

  it("reasons name the input that decided", () => {
    expect(decide({ flag: "no" }).reason).toBe("disabled by --telemetry=no");
    expect(decide({ env: "off" }).reason).toBe("disabled by FERRETDB_TELEMETRY=off");
    expect(decide({ config: "yes" }).reason).toMatch(/^enabled in the config file/);
    expect(decide({ admin: false }).reason).toBe("disabled by the admin setting");
    expect(decide({ persisted: "disabled" }).reason).toMatch(/saved choice/);
    expect(decide({})).toEqual({ state: "undecided", locked: false, reason: "undecided by the product default" });
  });
});
