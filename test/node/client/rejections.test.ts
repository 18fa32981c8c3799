import { describe, expect, it } from "vitest";
import { pingRequest } from "../../../schema/wire/ping.ts";
import { loadLedger, unsentReports } from "../../../client/node/ledger/ledger.ts";
import { readLastReport } from "../../../client/node/report/lastReport.ts";
import { tempDir } from "./helpers.ts";
import { useClients } from "./clients.ts";

const { server, client } = useClients();

describe("what the server's answer means for a report", () => {
  it("a 400/413/422 rejection is recorded, reported as such, and never resent", async () => {
    for (const status of [400, 413, 422]) {
      const dir = await tempDir();
      const s = await server(() => ({ status, body: { error: { code: "invalid_field" } } }));
      const t = client({ endpoint: s.url, dir });
      await t.start();
      const out = await t.submit();
      expect(out).toMatchObject({
        status: "rejected",
        detail: expect.stringContaining(`rejected by the server: HTTP ${status}`),
      });
      expect(out.detail).not.toContain("later attempt");
      await t.submit();
      expect(s.pings()).toHaveLength(2); // one per report, no retries, no resend
      expect((await loadLedger(dir)).entries.every((e) => e.rejected === status)).toBe(true);
      expect(await readLastReport(dir)).toMatchObject({ status: "rejected" });
    }
  });

  it("any other 4xx (a proxy's 401/403/404/408) keeps the report unsent for a later attempt", async () => {
    for (const status of [401, 403, 404, 408]) {
      const dir = await tempDir();
      const wrong = await server(() => ({ status, body: {} }));
      const t = client({ endpoint: wrong.url, dir, productDefault: "undecided" });
      await t.start();
      await t.feature("kept", "1");
      const out = await t.submit();
      expect(out).toMatchObject({ status: "queued", detail: `queued for a later attempt: HTTP ${status}` });
      const [kept] = unsentReports(await loadLedger(dir));
      expect(kept).toBeDefined();
      expect(kept!.rejected).toBeUndefined();
      await t.stop();
      const right = await server();
      const later = client({ endpoint: right.url, dir, productDefault: "undecided" });
      await later.start();
      expect((await later.submit()).status).toBe("sent");
      expect(right.pings()[0]!.headers["idempotency-key"]).toBe(kept!.id);
      expect(pingRequest.parse(JSON.parse(right.pings()[0]!.body)).facts?.map((f) => f.key)).toEqual(["kept"]);
      expect(unsentReports(await loadLedger(dir))).toEqual([]);
    }
  });
});
