import { describe, expect, it } from "vitest";
import { cleanProps, eventName, reference, tier } from "../../../client/browser/clean.ts";
import { enqueue, type Queued } from "../../../client/browser/queue.ts";

const secrets = [
  "lic-7f3a9c2e-SECRET",
  "eyJhbGciOiJFUzI1NiJ9.eyJsaWQiOiI3ZjNhIn0.c2lnbmF0dXJl",
  "https://console.example.com/admin?licence=abc",
  "page?licence=abc",
  "203.0.113.77",
  "2001:db8::7",
  "jane.doe@example.com",
  "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  "x".repeat(65),
];

describe("the snippet's own checks (the worker checks again)", () => {
  it.each(secrets)("%s is sent neither as licence type nor as a custom prop value", (secret) => {
    expect(tier(secret)).toBeUndefined();
    expect(cleanProps({ plan: secret, note: `see ${secret}` })).toBeUndefined();
  });

  it("keeps what is harmless", () => {
    expect(tier("enterprise")).toBe("enterprise");
    expect(tier("team_2024.v1")).toBe("team_2024.v1");
    expect(cleanProps({ plan: "team", rows: 10, ok: true, Bad: 1, nan: NaN })).toEqual({
      plan: "team",
      rows: 10,
      ok: true,
    });
    expect(
      Object.keys(cleanProps(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i])))!),
    ).toHaveLength(10);
  });

  it("instance reference: 22 base64url characters or nothing; never a UUID", () => {
    expect(reference("Z2ZIT4pVQ7zRcwdYp2b9Sg")).toBe("Z2ZIT4pVQ7zRcwdYp2b9Sg");
    for (const bad of [
      "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      "3F2504E04F8911D39A0C0305E82C3301",
      "Z2ZIT4pVQ7zRcwdYp2b9S",
      "Z2ZIT4pVQ7zRcwdYp2b9Sg=",
      "inst-1",
      "",
    ])
      expect(reference(bad)).toBeUndefined();
  });

  it("event names follow the documented pattern", () => {
    expect(eventName("export_done: csv/v2")).toBe(true);
    expect(eventName("bad name!")).toBe(false);
    expect(eventName("a".repeat(121))).toBe(false);
  });
});

describe("enqueue: page events only", () => {
  it("when full of views and leaves, the oldest view goes with its leave; the open view stays", () => {
    const q: Queued[] = [];
    for (let i = 0; i < 60; i++) {
      enqueue(q, ["$pageview", { candor_route: `/${i}` }, i, false], 10);
      enqueue(q, ["$pageleave", { candor_route: `/${i}` }, i, false], 10);
    }
    enqueue(q, ["$pageview", { candor_route: "/open" }, 99, false], 10);
    enqueue(q, ["late_click", {}, 100, false], 10);
    const names = q.map(([e, p]) => `${e} ${String(p.candor_route)}`);
    expect(names).toHaveLength(10);
    expect(names[0]).toBe("$pageview /56");
    expect(names.slice(8)).toEqual(["$pageview /open", "late_click undefined"]);
    for (let i = 0; i < 8; i += 2) expect(names[i + 1]).toBe(names[i]!.replace("$pageview", "$pageleave"));
  });
});
