import { describe, expect, it } from "vitest";
import { pingRequest } from "../../../schema/wire/ping.ts";
import {
  bound,
  emptyLedger,
  markRejected,
  markSent,
  pendingRecords,
  unsentReports,
  type Ledger,
} from "../../../client/node/ledger/ledger.ts";
import { buildPayload, pickRecords } from "../../../client/node/report/payload.ts";
import { addException, addFeature, addRecurring, exceptionEntry } from "../../../client/node/ledger/records.ts";
import { scrubber } from "../../../client/node/ledger/scrub.ts";

const DAY = 86_400_000;
const secrets = { hostname: "build-box.corp.example", home: "/home/alice", user: "alice" };

describe("scrubbing", () => {
  const scrub = scrubber(secrets);
  it("replaces this machine's home dir, user name and host name (and its first label) in any string", () => {
    expect(scrub("ENOENT: open '/home/alice/.config/app.yml'")).toBe("ENOENT: open '<path>/app.yml'");
    expect(scrub("connect to build-box.corp.example failed")).toBe("connect to <host> failed");
    expect(scrub("BUILD-BOX refused user Alice")).toBe("<host> refused user <user>");
    expect(scrub("pg://Alice2@db as aliceAdmin")).toBe("<url> as aliceAdmin"); // credentials: the whole URL goes
    expect(scrub("build-box_1 failed")).toBe("<host>_1 failed");
  });
  it("scrubs what a new user's error text holds: e-mail, addresses, URL secrets, absolute paths, tokens", () => {
    expect(scrub("failed for customer jane.doe@acme.com")).toBe("failed for customer <email>");
    expect(scrub("at file:///srv/acme-corp-prod/app/crash.mjs:4:20")).toBe("at file://<path>/crash.mjs:4:20");
    expect(scrub("connect ECONNREFUSED 10.1.2.3:5432 and [2001:db8::1]:80")).toBe(
      "connect ECONNREFUSED <ip>:5432 and <ip>:80",
    );
    expect(scrub("GET https://bob:pw@api.acme.io/v1?key=1 failed")).toBe("GET <url> failed");
    expect(scrub("auth with token=ghp_abcdefghijklmnopqrstuvwxyz0123456789")).toBe("auth with token=<secret>");
  });
  it("names that identify nobody are never replaced: root keeps /opt/rootfs", () => {
    expect(scrubber({ user: "root", home: "/root", hostname: "node" })("read rootfs on node 22")).toBe(
      "read rootfs on node 22",
    );
    expect(scrubber({ user: "al" })("also al-data al2")).toBe("also <user>-data al2");
  });
  it("captureException scrubs type, message and stack", () => {
    const err = new Error("cannot read /home/alice/data on build-box as alice");
    err.stack = `Error: cannot read /home/alice/data\n    at load (/home/alice/app/index.js:3:9)\n    at build-box.corp.example/x.js:1:1`;
    class AliceError extends Error {}
    const typed = new AliceError("x");
    typed.name = "alice";
    const e = exceptionEntry(err, scrub, 1);
    const text = JSON.stringify([e, exceptionEntry(typed, scrub, 1)]);
    for (const secret of ["alice", "build-box", "/home/"]) expect(text.toLowerCase()).not.toContain(secret);
    expect(e).toMatchObject({
      kind: "exception",
      type: "Error",
      message: "cannot read <path>/data on <host> as <user>",
    });
    expect(e.kind === "exception" && e.stack).toContain("at load (<path>/index.js:3:9)");
  });
  it("captureException keeps the Error.cause chain, scrubbed", () => {
    const e = exceptionEntry(new Error("save failed", { cause: new Error("disk full on build-box") }), scrub, 1);
    expect(e.kind === "exception" && e.stack).toMatch(/Caused by: Error: disk full on <host>/);
  });
  it("captureException accepts non-Error values", () => {
    expect(exceptionEntry("plain text", scrub, 1)).toMatchObject({ type: "Error", message: "plain text" });
    expect(exceptionEntry({ code: 7 }, scrub, 1)).toMatchObject({ message: '{"code":7}' });
  });
});

describe("facts", () => {
  it("a feature fact is stored once ever, even after its entry is trimmed from the ledger", () => {
    let l = addFeature(emptyLedger(), "sso", "on", 1);
    l = addFeature(l, "sso", "off", 2);
    expect(pendingRecords(l).map((e) => e.kind !== "exception" && e.value)).toEqual(["on"]);
    l = { ...l, entries: [] };
    expect(addFeature(l, "sso", "x", 3).entries).toHaveLength(0);
  });
  it("a recurring fact is stored at most once per period", () => {
    let l = addRecurring(emptyLedger(), "users", "10", 7, 0);
    l = addRecurring(l, "users", "11", 7, 7 * DAY - 1);
    expect(l.entries).toHaveLength(1);
    l = addRecurring(l, "users", "12", 7, 7 * DAY);
    expect(l.entries.map((e) => ("value" in e ? e.value : null))).toEqual(["10", "12"]);
    l = addRecurring(l, "other", "1", 7, 7 * DAY);
    expect(l.entries).toHaveLength(3);
  });
  it("records ride the next report in batches within the wire bounds, and pass the shared schema", () => {
    let l: Ledger = emptyLedger();
    for (let i = 0; i < 60; i++) l = addFeature(l, `f${i}`, "1", i);
    for (let i = 0; i < 12; i++)
      l = addException(
        l,
        exceptionEntry(new Error(`e${i}`), (s) => s, i),
      );
    const picked = pickRecords(pendingRecords(l));
    expect(picked.facts).toHaveLength(50);
    expect(picked.exceptions).toHaveLength(10);
    const payload = buildPayload(
      { instanceId: crypto.randomUUID(), product: "demo", version: "1.2.3", ci: "github-actions" },
      { counts: { users: 3 } },
      picked,
    );
    expect(pingRequest.safeParse(payload).success).toBe(true);
    expect(payload.facts!.map((f) => f.key)).toEqual(Array.from({ length: 50 }, (_, i) => `f${i}`));
    expect(payload.env).toMatchObject({ demo: "1.2.3", ci: "github-actions" });
  });
  it("host data out of the wire bounds is refused before sending", () => {
    expect(() =>
      buildPayload(
        { instanceId: crypto.randomUUID(), product: "demo" },
        { counts: { users: -1 } },
        { facts: [], exceptions: [] },
      ),
    ).toThrow();
  });
});

describe("ledger", () => {
  function withReport(l: Ledger, id: string): Ledger {
    const payload = { instanceId: crypto.randomUUID(), product: "demo" };
    return {
      ...l,
      entries: [...l.entries, { id, kind: "report", payload, collectedAt: 1, submittedAt: null, serverUuid: null }],
    };
  }
  it("marks a report and the records it carried as sent, with the server uuid", () => {
    let l = addFeature(emptyLedger(), "a", "1", 1);
    const rid = crypto.randomUUID();
    l = {
      ...withReport(l, rid),
      entries: withReport(l, rid).entries.map((e) => (e.kind === "feature" ? { ...e, reportId: rid } : e)),
    };
    const sent = markSent(l, rid, "server-uuid", 99);
    expect(sent.entries.every((e) => e.submittedAt === 99 && e.serverUuid === "server-uuid")).toBe(true);
    expect(unsentReports(sent)).toEqual([]);
    const refused = markRejected(l, rid, 400);
    expect(unsentReports(refused)).toEqual([]);
    expect(pendingRecords(refused)).toEqual([]);
  });
  it("is bounded by dropping sent entries only: an unsent report or record is never trimmed", () => {
    let l = emptyLedger();
    for (let i = 0; i < 10; i++) l = withReport(l, crypto.randomUUID());
    l = markSent(l, l.entries[0]!.id, "u", 1);
    l = markSent(l, l.entries[1]!.id, "u", 2);
    l = addFeature(l, "k", "v", 3);
    const trimmed = bound(l, 5);
    expect(trimmed.entries).toHaveLength(9); // both sent reports went; the 8 unsent and the record stay
    expect(trimmed.entries.every((e) => e.submittedAt === null)).toBe(true);
    expect(pendingRecords(trimmed).map((e) => e.kind !== "exception" && e.key)).toEqual(["k"]);
    expect(bound(l, 11).entries).toHaveLength(11);
  });
});

describe("payload size", () => {
  it("leaves records out (exceptions first) until the report fits the worker's body limit; they stay pending", async () => {
    const { fitPayload } = await import("../../../client/node/report/payload.ts");
    const { pingLimits } = await import("../../../schema/wire/ping.ts");
    let l: Ledger = emptyLedger();
    for (let i = 0; i < 50; i++) l = addFeature(l, `f${i}`, "v".repeat(pingLimits.factValue), i);
    for (let i = 0; i < 10; i++) {
      const e = new Error("m".repeat(pingLimits.exceptionMessage));
      e.stack = "s".repeat(pingLimits.exceptionStack);
      l = addException(
        l,
        exceptionEntry(e, (s) => s, i),
      );
    }
    const picked = pickRecords(pendingRecords(l));
    const { payload, records } = fitPayload({ instanceId: crypto.randomUUID(), product: "demo" }, undefined, picked);
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(pingLimits.bodyBytes);
    expect(records.facts).toHaveLength(50);
    expect(records.exceptions.length).toBeLessThan(10);
    expect(payload.exceptions).toHaveLength(records.exceptions.length);
  });
});
