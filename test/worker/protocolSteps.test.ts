import { describe, expect, it } from "vitest";
import { beaconAnswer, inClientFormat, UPDATE_INFO_MAX } from "../../worker/pipeline/ferretdb/answer";
import { foldArgument, foldCommands, foldResult } from "../../worker/pipeline/ferretdb/commands";
import { uptimeSeconds } from "../../worker/pipeline/ferretdb/uptime";
import { packageName } from "../../worker/pipeline/ferretdb/build";
import { commandName, reduceValue } from "../../worker/pipeline/firefly/reduce";
import { attribute, parseCollectedAt, submissionRef, versionFromUserAgent } from "../../worker/pipeline/firefly/steps";
import { derivedUuid } from "../../worker/lib/derivedUuid";

describe("FerretDB steps (pure)", () => {
  it("uptimeSeconds divides the JSON text exactly and never throws", () => {
    expect(uptimeSeconds("86400099948209", 86400099948209)).toBe(86400);
    expect(uptimeSeconds("17280000999999999", 17280001000000000)).toBe(17280000);
    expect(uptimeSeconds(undefined, 17280001000000000)).toBe(17280001); // no source text: the rounded value
    expect(uptimeSeconds("99999999999999999999999", 1e23)).toBeNull(); // > 1e10 s
    expect(uptimeSeconds('"5"', "5")).toBeNull();
  });

  it("folds names outside the vocabularies, keeping operator kinds FerretDB appends", () => {
    expect(foldArgument("$lookup (stage)")).toBe("$lookup (stage)");
    expect(foldArgument("$lookup (planet)")).toBe("other");
    expect(foldArgument("$madeUp (stage)")).toBe("other");
    expect(foldResult("Location15998")).toBe("Location15998");
    expect(foldResult("Location")).toBe("other");
    expect(foldCommands(undefined)).toBeNull();
    expect(foldCommands({ OP_MSG: { find: { unknown: {} } } })).toEqual([]); // a fresh instance's report
    expect(foldCommands({ OP_MSG: { a: { x: { ok: 1 } }, b: { y: { ok: 2 } } } })).toEqual([
      ["OP_MSG", "other", "other", "ok", 3],
    ]);
  });

  it("packages: Taskfile names kept, docker-local-<file> cut, anything else 'other'", () => {
    expect(packageName("deb")).toBe("deb");
    expect(packageName("docker-local-/home/alice/Dockerfile")).toBe("docker-local");
    expect(packageName("my-company-build")).toBe("other");
  });

  it("answers latest_version in the client's format and bounds update_info", () => {
    expect(inClientFormat("2.8.0", "v2.7.0")).toBe("v2.8.0");
    expect(inClientFormat("v2.8.0", "2.7.0")).toBe("2.8.0");
    const alert = { id: "a", level: "warning" as const, message: "m".repeat(2000), url: null };
    const answer = beaconAnswer("v2.7.0", {
      latest_version: null,
      update_available: false,
      update_info: null,
      alerts: [alert],
    });
    expect(answer.update_info).toHaveLength(UPDATE_INFO_MAX);
    expect(answer.latest_version).toBe("v2.7.0");
    expect(
      beaconAnswer(null, { latest_version: null, update_available: false, update_info: null, alerts: [] }),
    ).toEqual({
      latest_version: "",
      update_available: false,
      update_info: "",
    });
  });
});

describe("Firefly steps (pure)", () => {
  it("parses PHP's format('r') to the UTC instant, across offsets and DST", () => {
    expect(parseCollectedAt("Sat, 05 Dec 2020 10:14:03 +0100")).toBe(Date.UTC(2020, 11, 5, 9, 14, 3));
    expect(parseCollectedAt("Sun, 07 Jun 2020 14:02:19 +0200")).toBe(Date.UTC(2020, 5, 7, 12, 2, 19));
    expect(parseCollectedAt("Mon, 07 Dec 2020 08:45:10 -0530")).toBe(Date.UTC(2020, 11, 7, 14, 15, 10));
    expect(parseCollectedAt("Mon, 07 Dec 2020 08:45:10 +0000")).toBe(Date.UTC(2020, 11, 7, 8, 45, 10));
    expect(parseCollectedAt("Tue, 31 Feb 2021 10:00:00 +0000")).toBeNull();
    expect(parseCollectedAt("2020-12-05T10:14:03+01:00")).toBeNull();
  });

  it("reduces signatures to the command name and drops values outside a key's rule", () => {
    expect(commandName("firefly-iii:cron\n        {--F|force : Force the cron job(s) to execute.}")).toBe(
      "firefly-iii:cron",
    );
    expect(commandName("rm -rf /")).toBeNull();
    expect(reduceValue("system.command.errored", "firefly-iii:apply-rules\n {--user=1}")).toEqual({
      value: "firefly-iii:apply-rules",
    });
    expect(reduceValue("user.preferences.locale", "equal")).toEqual({ value: "equal" });
    expect(reduceValue("user.preferences.locale", "Alice Smith")).toEqual({ drop: "value_not_allowed" });
    expect(reduceValue("toString", "x")).toEqual({ drop: "unknown_key" }); // no prototype keys
  });

  it("attributes rows: real UUIDs to their instance, the shared id, 'empty' and garbage to nobody", () => {
    expect(attribute("3F8E2A64-71C9-4B0D-9E15-6A2C8D4F0B37")).toEqual({
      kind: "instance",
      id: "3f8e2a64-71c9-4b0d-9e15-6a2c8d4f0b37",
    });
    expect(attribute("b2c27d92-be90-5c10-8589-005df5b314e6")).toEqual({ kind: "unattributed", label: "shared" });
    expect(attribute("empty")).toEqual({ kind: "unattributed", label: "empty" });
    expect(attribute("42")).toEqual({ kind: "unattributed", label: "invalid" });
  });

  it("reads the version from FireflyIII/<version> only", () => {
    expect(versionFromUserAgent("FireflyIII/5.4.6")).toBe("5.4.6");
    expect(versionFromUserAgent("FireflyIII/5.5.0-beta.3 (extra)")).toBe("5.5.0-beta.3");
    expect(versionFromUserAgent("GuzzleHttp/7")).toBeNull();
    expect(versionFromUserAgent(null)).toBeNull();
  });

  it("derives the same reference for the same rows in any order, another for other rows", async () => {
    const a = { key: "a" };
    const b = { key: "b" };
    expect(await submissionRef("p", [a, b])).toBe(await submissionRef("p", [b, a]));
    expect(await submissionRef("p", [a, b])).not.toBe(await submissionRef("p", [a]));
    expect(await submissionRef("p", [a])).not.toBe(await submissionRef("q", [a]));
    expect(await derivedUuid("x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
