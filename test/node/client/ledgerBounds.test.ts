import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FILES } from "../../../client/node/state/files.ts";
import {
  appendRecord,
  LEDGER_MAX_ENTRIES,
  LEDGER_MAX_UNSENT_REPORTS,
  loadLedger,
  unsentReports,
} from "../../../client/node/ledger/ledger.ts";
import { useClients } from "./clients.ts";
import { deadEndpoint, tempDir } from "./helpers.ts";

const { client } = useClients();

describe("the ledger never drops what was not sent", () => {
  it("past 500 entries, a report keeps every unsent record (only sent entries are trimmed)", async () => {
    const dir = await tempDir();
    const t = client({ endpoint: await deadEndpoint(), dir, transport: { attempts: 1, sleep: async () => {} } });
    await t.start();
    const n = LEDGER_MAX_ENTRIES + 20;
    for (let i = 0; i < n; i++) await t.captureException(new Error(`failure ${i}`));
    // records are appended to the journal, not rewritten into the ledger file
    const journal = await fs.readFile(path.join(dir, FILES.journal), "utf8");
    expect(journal.trim().split("\n")).toHaveLength(n);
    expect((await t.submit()).status).toBe("queued");
    const ledger = await loadLedger(dir);
    const messages = ledger.entries.flatMap((e) => (e.kind === "exception" ? [e.message] : []));
    expect(messages).toHaveLength(n);
    expect(messages[0]).toBe("failure 0");
    expect(unsentReports(ledger)).toHaveLength(1);
    await expect(fs.stat(path.join(dir, FILES.journal))).rejects.toThrow(/ENOENT/); // folded in by the report
  });

  it("past 30 unsent reports, a new report is not queued and the oldest unsent one stays", async () => {
    const dir = await tempDir();
    const t = client({ endpoint: await deadEndpoint(), dir, transport: { attempts: 1, sleep: async () => {} } });
    await t.start();
    for (let i = 0; i < LEDGER_MAX_UNSENT_REPORTS; i++) await t.submit();
    const first = unsentReports(await loadLedger(dir))[0]!.id;
    const over = await t.submit();
    expect(over.detail).toMatch(/not queued: 30 reports already wait/);
    const after = unsentReports(await loadLedger(dir));
    expect(after).toHaveLength(LEDGER_MAX_UNSENT_REPORTS);
    expect(after[0]!.id).toBe(first);
  });
});

describe("the journal survives a crash mid-append", () => {
  it("a record appended after a torn last line (no newline) is kept, not glued to the torn one", async () => {
    const dir = await tempDir();
    const entry = (key: string) => ({
      id: crypto.randomUUID(),
      kind: "feature" as const,
      key,
      value: "v",
      collectedAt: 1,
      submittedAt: null,
      serverUuid: null,
    });
    expect(await appendRecord(dir, entry("before"))).toBe(true);
    // A crash mid-append: half a record, no newline.
    await fs.appendFile(path.join(dir, FILES.journal), JSON.stringify(entry("torn")).slice(0, 40));
    expect(await appendRecord(dir, entry("after"))).toBe(true);
    const keys = (await loadLedger(dir)).entries.flatMap((e) => (e.kind === "feature" ? [e.key] : []));
    expect(keys).toEqual(["before", "after"]);
  });
});
