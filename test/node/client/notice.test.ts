import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FILES } from "../../../client/node/state/files.ts";
import { pingAnswer, tempDir } from "./helpers.ts";
import { useClients } from "./clients.ts";

const { server, client } = useClients();

describe("notice, CI and updates", () => {
  it("the first-run notice is shown once, not in CI, and again when the notice version goes up", async () => {
    const dir = await tempDir();
    const logs: string[] = [];
    await client({ endpoint: "http://127.0.0.1:9", dir }, logs).start();
    expect(logs.join("\n")).toMatch(/reports anonymous usage telemetry/);
    expect(logs.join("\n")).toContain(path.join(dir, FILES.lastReport));
    const again: string[] = [];
    await client({ endpoint: "http://127.0.0.1:9", dir }, again).start();
    expect(again).toEqual([]);
    const ci: string[] = [];
    await client(
      { endpoint: "http://127.0.0.1:9", dir, noticeVersion: 2, env: { GITHUB_ACTIONS: "true" } },
      ci,
    ).start();
    expect(ci).toEqual([]);
    const bumped: string[] = [];
    await client({ endpoint: "http://127.0.0.1:9", dir, noticeVersion: 2, notice: "Notice v2" }, bumped).start();
    expect(bumped).toEqual(["Notice v2"]);
    expect(JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8")).noticeVersion).toBe(2);
  });

  it("CI is marked in the payload", async () => {
    const t = client({ endpoint: "http://127.0.0.1:9", dir: await tempDir(), env: { CI: "true" } });
    await t.start();
    expect((await t.preview()).env?.ci).toBe("ci");
    const local = client({ endpoint: "http://127.0.0.1:9", dir: await tempDir() });
    await local.start();
    expect((await local.preview()).env?.ci).toBeUndefined();
  });

  it("update notices reach the host callback, are logged once per version, and are cached 48 h", async () => {
    const dir = await tempDir();
    const alert = { id: "a1", level: "critical" as const, message: "CVE-2026-1 affects 1.0.0", url: null };
    const answer = pingAnswer({
      latest_version: "2.0.0",
      update_available: true,
      update_info: { version: "2.0.0", info: "faster", url: null },
      alerts: [alert],
    });
    const s = await server(() => ({ status: 200, body: { ...answer, uuid: crypto.randomUUID() } }));
    const notices: unknown[] = [];
    const logs: string[] = [];
    const t = client({ endpoint: s.url, dir, onUpdate: (n) => void notices.push(n), noticeVersion: 0 }, logs);
    await t.start();
    await t.submit();
    await t.submit();
    expect(notices).toHaveLength(2);
    expect(notices[0]).toEqual({
      latestVersion: "2.0.0",
      updateAvailable: true,
      updateInfo: answer.update_info,
      alerts: [alert],
    });
    expect(logs.filter((l) => l.startsWith("Update available: version 2.0.0"))).toHaveLength(1);
    expect(logs.filter((l) => l.includes("CVE-2026-1"))).toHaveLength(1);
    await t.stop();

    const cached: unknown[] = [];
    await client({ endpoint: s.url, dir, onUpdate: (n) => void cached.push(n), noticeVersion: 0 }).start();
    expect(cached).toHaveLength(1);
    const stale: unknown[] = [];
    const later = Date.now() + 49 * 3_600_000;
    await client({
      endpoint: s.url,
      dir,
      now: () => later,
      onUpdate: (n) => void stale.push(n),
      noticeVersion: 0,
    }).start();
    expect(stale).toEqual([]);
  });
});

describe("the first-run notice is generated from what a report can hold", () => {
  it("names every field of the wire schema, what the server derives, the exact opt-out and the full list", async () => {
    const { pingRequest } = await import("../../../schema/wire/ping.ts");
    const { REPORT_HOLDS } = await import("../../../client/node/report/notice.ts");
    expect(Object.keys(REPORT_HOLDS).sort()).toEqual(Object.keys(pingRequest.shape).sort());
    const logs: string[] = [];
    await client(
      { endpoint: "http://127.0.0.1:9", dir: await tempDir(), privacyUrl: "https://example.com/telemetry" },
      logs,
    ).start();
    const text = logs.join("\n");
    for (const line of Object.values(REPORT_HOLDS)) expect(text).toContain(line);
    for (const word of ["installation id", "version", "OS type, release and architecture", "runtime versions", "usage counts", "licence type", "feature facts", "exception reports", "country", "network operator", "never stores the IP address"])
      expect(text).toContain(word); // prettier-ignore
    expect(text).toContain("DEMO_TELEMETRY=disable");
    expect(text).toContain("candor-telemetry disable --product demo");
    expect(text).toContain("The full list: https://example.com/telemetry.");
  });
});
