import { describe, expect, it } from "vitest";
import { decide, type DecisionInput, type Reason } from "../../../client/browser/decide.ts";

const token = "phc_x";
const on = { active: true, type: "enterprise" };
const off = { active: false, type: "enterprise" };

describe("decide(): the README's decision table, row by row", () => {
  const rows: Array<[string, DecisionInput, boolean, Reason]> = [
    ["no token, licensed", { license: on, config: { adminEnabled: true } }, false, "no_token"],
    ["empty token", { license: on, config: { token: "" } }, false, "no_token"],
    ["nothing at all", {}, false, "no_token"],
    ["GPC beats a licence", { license: on, config: { token }, gpc: true }, false, "gpc"],
    ["GPC beats the admin setting", { config: { token, adminEnabled: true }, gpc: true }, false, "gpc"],
    ["licensed, config file disabled", { license: on, config: { token, fileEnabled: false } }, true, "licensed"],
    ["licensed, admin disabled", { license: on, config: { token, adminEnabled: false } }, true, "licensed"],
    ["licensed, nothing configured", { license: on, config: { token } }, true, "licensed"],
    ["inactive licence counts as none", { license: off, config: { token } }, false, "undecided"],
    [
      "config file false beats admin on",
      { config: { token, fileEnabled: false, adminEnabled: true } },
      false,
      "config_file_disabled",
    ],
    ["admin on", { config: { token, adminEnabled: true } }, true, "admin_enabled"],
    ["admin on, file true", { config: { token, fileEnabled: true, adminEnabled: true } }, true, "admin_enabled"],
    [
      "admin off beats file true",
      { config: { token, fileEnabled: true, adminEnabled: false } },
      false,
      "admin_disabled",
    ],
    ["file true, admin unset", { config: { token, fileEnabled: true } }, true, "config_file_enabled"],
    ["unlicensed, nothing decided", { license: null, config: { token } }, false, "undecided"],
    ["gpc false is no signal", { config: { token, adminEnabled: true }, gpc: false }, true, "admin_enabled"],
  ];
  it.each(rows)("%s", (_name, input, allowed, reason) => {
    expect(decide(input)).toEqual({ allowed, reason });
  });

  it("is pure: same input, same answer, input untouched", () => {
    const input = { license: on, config: { token, fileEnabled: false } };
    const copy = structuredClone(input);
    expect(decide(input)).toEqual(decide(input));
    expect(input).toEqual(copy);
  });
});
