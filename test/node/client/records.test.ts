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
} from "../../../client/node/ledger.ts";
import { buildPayload, pickRecords } from "../../../client/node/payload.ts";
import { addException, addFeature, addRecurring, exceptionEntry } from "../../../client/node/records.ts";
import { scrubber } from "../../../client/node/scrub.ts";

const DAY = 86_400_000;
const secrets = { hostname: "build-box.corp.example", home: "/home/alice", user: "alice" };

describe("scrubbing", () => {
  const scrub = scrubber(secrets);
  it("removes the home dir, user name and hostname (and its first label) from any string", () => {
    expect(scrub("ENOENT: open '/home/alice/.config/app.yml'")).toBe("ENOENT: open '<home>/.config/app.yml'");
    expect(scrub("connect to build-box.corp.example failed")).toBe("connect to <hostname> failed");
    expect(scrub("BUILD-BOX refused user Alice")).toBe("<hostname> refused user <user>");
    expect(scrub("file:///home/alice/app/x.js")).toBe("file://<home>/app/x.js");
  });
  it("scrubs names joined to '-', '_', digits or other text, and the URL-encoded home dir", () => {
    expect(scrub("/tmp/alice-cache/x.js")).toBe("/tmp/<user>-cache/x.js");
    expect(scrub("/srv/alice_data/db")).toBe("/srv/<user>_data/db");
    expect(scrub("pg://alice2@db")).toBe("pg://<user>2@db");
    expect(scrub("pg://Alice2@db as aliceAdmin")).toBe("pg://<user>2@db as <user>Admin");
    expect(scrub("/var/lib/build-box-data")).toBe("/var/lib/<hostname>-data");
    expect(scrub("build-box_1 failed")).toBe("<hostname>_1 failed");
    expect(scrub("BUILD-BOX2.corp.example")).toBe("<hostname>2.corp.example");
    expect(scrub("GET /open?path=%2Fhome%2Falice%2Fnotes.txt")).toBe("GET /open?path=<home>%2Fnotes.txt");
    expect(scrub("path=%2fhome%2FALICE%2fx")).toBe("path=<home>%2fx");
    // A user name of 3 characters or more is scrubbed wherever it occurs, even inside words.
    expect(scrubber({ user: "app" })("application app-server app")).toBe("<user>lication <user>-server <user>");
  });
  it("a user name shorter than 3 characters is replaced only where no letter touches it", () => {
    expect(scrubber({ user: "al" })("also al-data al_x al2 AL. total")).toBe(
      "also <user>-data <user>_x <user>2 <user>. total",
    );
  });
  it("a Windows home dir is scrubbed in both slash styles, JSON-escaped and URL-encoded", () => {
    const win = scrubber({ home: "C:\\Users\\bob", user: "bob" });
    expect(win("at C:\\Users\\bob\\app\\x.js")).toBe("at <home>\\app\\x.js");
    expect(win("file:///c:/users/bob/app/x.js")).toBe("file:///<home>/app/x.js");
    expect(win(JSON.stringify("C:\\Users\\bob\\x"))).toBe('"<home>\\\\x"');
    expect(win(`q=${encodeURIComponent("C:\\Users\\bob\\x")}`)).toBe("q=<home>%5Cx");
  });
  it("scrubs in one pass: a placeholder is never scrubbed again", () => {
    expect(scrubber({ home: "/home/home", user: "home", hostname: "user" })("/home/home/x home user")).toBe(
      "<home>/x <user> <hostname>",
    );
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
      message: "cannot read <home>/data on <hostname> as <user>",
    });
    expect(e.kind === "exception" && e.stack).toContain("at load (<home>/app/index.js:3:9)");
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
  it("is bounded: sent entries go first, unsent reports are capped and their records freed", () => {
    let l = emptyLedger();
    for (let i = 0; i < 10; i++) l = withReport(l, crypto.randomUUID());
    l = markSent(l, l.entries[0]!.id, "u", 1);
    const trimmed = bound(l, 5, 100);
    expect(trimmed.entries).toHaveLength(5);
    expect(trimmed.entries.every((e) => e.submittedAt === null)).toBe(true);
    const rid = l.entries[1]!.id;
    let withRecord = addFeature(l, "k", "v", 1);
    withRecord = {
      ...withRecord,
      entries: withRecord.entries.map((e) => (e.kind === "feature" ? { ...e, reportId: rid } : e)),
    };
    const capped = bound(withRecord, 100, 3);
    expect(unsentReports(capped)).toHaveLength(3);
    expect(pendingRecords(capped).map((e) => e.kind !== "exception" && e.key)).toEqual(["k"]);
  });
});

describe("payload size", () => {
  it("leaves records out (exceptions first) until the report fits the worker's body limit; they stay pending", async () => {
    const { fitPayload } = await import("../../../client/node/payload.ts");
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
