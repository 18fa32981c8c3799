import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { browserRef } from "../../../schema/wire/browserRef.ts";
import { browserRefOf } from "../../../client/node/state/browserRef.ts";
import { FILES, writeJsonAtomic } from "../../../client/node/state/files.ts";
import { runCli } from "../../../client/node/cli/runCli.ts";
import { loadState, peekState, updateState } from "../../../client/node/state/stateFile.ts";
import { Telemetry } from "../../../client/node/telemetry.ts";
import { forgetRemote, sendPing } from "../../../client/node/report/transport.ts";
import { localServer, pingAnswer, tempDir } from "./helpers.ts";

const KEY = /^[A-Za-z0-9_-]{43}$/;
/** Independently computed: printf 'candor.browser-ref.v1:<id>' | sha256sum, first 16 bytes, base64url. */
const VECTOR = { id: "5db51f99-c6fb-4340-9c19-78adce58cc1b", ref: "Z2ZIT4pVQ7zRcwdYp2b9Sg" };
const noWait = { sleep: async () => {} };

const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => void (await Promise.all(servers.splice(0).map((s) => s.close()))));
const onDisk = async (dir: string) => JSON.parse(await fs.readFile(path.join(dir, FILES.state), "utf8"));

describe("the installation key in the state file", () => {
  it("is made with the id, kept across loads and every state update, and renewed only with a new id", async () => {
    const dir = await tempDir();
    const first = await loadState(dir, "p");
    expect(first.instanceKey).toMatch(KEY);
    expect((await onDisk(dir)).instanceKey).toBe(first.instanceKey);
    expect((await onDisk(dir))._comment).toMatch(/instanceKey is a random secret/);
    expect((await loadState(dir, "p")).instanceKey).toBe(first.instanceKey);
    await updateState(dir, "p", (s) => ({ ...s, consent: "disabled", noticeVersion: 2 }));
    expect(await onDisk(dir)).toMatchObject({ instanceId: first.instanceId, instanceKey: first.instanceKey });
    // A host with decisions and toggles rewrites the file many times: the pair survives.
    const host = new Telemetry({ product: "p", endpoint: "http://127.0.0.1:9", dir, argv: [], env: {}, log: () => {} });
    await host.open();
    await host.enable();
    expect(await onDisk(dir)).toMatchObject({ instanceId: first.instanceId, instanceKey: first.instanceKey });
    // A known-bad id is replaced, and its key with it.
    const renewed = await loadState(dir, "p", [first.instanceId]);
    expect(renewed.instanceId).not.toBe(first.instanceId);
    expect(renewed.instanceKey).toMatch(KEY);
    expect(renewed.instanceKey).not.toBe(first.instanceKey);
    expect((await loadState(await tempDir(), "p")).instanceKey).not.toBe(renewed.instanceKey);
  });

  it("a state file from before keys keeps its id and gets a key, with one log line that never shows the key", async () => {
    const dir = await tempDir();
    const id = "0b5e3c1e-6f0e-4d8a-9a57-2f3c9a0f4d11";
    await writeJsonAtomic(path.join(dir, FILES.state), { instanceId: id, createdAt: 1, consent: "enabled" });
    const lines: string[] = [];
    const host = new Telemetry({
      product: "p",
      endpoint: "http://127.0.0.1:9",
      dir,
      argv: [],
      env: {},
      log: (l) => void lines.push(l),
    });
    await host.open();
    const state = await onDisk(dir);
    expect(state).toMatchObject({ instanceId: id, consent: "enabled", createdAt: 1 });
    expect(state.instanceKey).toMatch(KEY);
    const added = lines.filter((l) => l.includes("added an installation key"));
    expect(added).toHaveLength(1);
    expect(added[0]).toContain(id);
    expect(lines.join("\n")).not.toContain(state.instanceKey);
    await host.open(); // loaded again: nothing added, nothing logged
    expect((await onDisk(dir)).instanceKey).toBe(state.instanceKey);
    expect(lines.filter((l) => l.includes("added an installation key"))).toHaveLength(1);
  });

  it("a malformed key is not repaired in place: the file gets a new id and a new key together", async () => {
    const dir = await tempDir();
    const id = "0b5e3c1e-6f0e-4d8a-9a57-2f3c9a0f4d11";
    await writeJsonAtomic(path.join(dir, FILES.state), { instanceId: id, instanceKey: "short", createdAt: 1 });
    const s = await loadState(dir, "p");
    expect(s.instanceId).not.toBe(id);
    expect(s.instanceKey).toMatch(KEY);
  });
});

describe("browser reference", () => {
  it("the client's value is the shared derivation: the known vector, and WebCrypto's (the worker's) for any id", async () => {
    expect(browserRefOf(VECTOR.id)).toBe(VECTOR.ref);
    expect(browserRefOf(VECTOR.id.toUpperCase())).toBe(VECTOR.ref);
    expect(await browserRef(VECTOR.id)).toBe(VECTOR.ref);
    for (let i = 0; i < 20; i++) {
      const id = crypto.randomUUID();
      expect(browserRefOf(id)).toBe(await browserRef(id));
      expect(browserRefOf(id)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
  });

  it("telemetry.browserRef and `status` give the reference, never in place of the id", async () => {
    const dir = await tempDir();
    const t = new Telemetry({ product: "demo", endpoint: "http://127.0.0.1:9", dir, argv: [], env: {}, log: () => {} });
    expect(t.browserRef).toBeUndefined();
    await t.open();
    expect(t.browserRef).toBe(browserRefOf(t.instanceId!));
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), env: {} };
    await runCli(["status", "--product", "demo", "--dir", dir, "--json"], {}, io);
    expect(JSON.parse(out.join(""))).toMatchObject({ instanceId: t.instanceId, browserRef: t.browserRef });
    out.length = 0;
    await runCli(["status", "--product", "demo", "--dir", dir], {}, io);
    expect(out.join("\n")).toContain(`browser ref:  ${t.browserRef}`);
    expect(out.join("\n")).not.toContain((await onDisk(dir)).instanceKey);
  });
});

describe("reports and forget prove the installation with its key", () => {
  it("every report carries Authorization: Bearer <key>; the key is in no body, ledger, last report or debug payload", async () => {
    const s = await localServer(() => ({ status: 200, body: pingAnswer() }));
    servers.push(s);
    const dir = await tempDir();
    const t = new Telemetry({ product: "demo", endpoint: s.url, dir, argv: [], env: {}, log: () => {} });
    await t.open();
    await t.feature("sso", "on");
    expect((await t.submit()).status).toBe("sent");
    expect((await t.submit()).status).toBe("sent");
    const { instanceKey } = await onDisk(dir);
    expect(s.pings().map((r) => r.headers.authorization)).toEqual([`Bearer ${instanceKey}`, `Bearer ${instanceKey}`]);
    expect(s.pings().some((r) => r.body.includes(instanceKey))).toBe(false);
    for (const f of [FILES.ledger, FILES.lastReport])
      expect(await fs.readFile(path.join(dir, f), "utf8")).not.toContain(instanceKey);
    const debug = new Telemetry({
      product: "demo",
      endpoint: s.url,
      dir,
      argv: [],
      env: { DEMO_TELEMETRY_DEBUG: "1" },
      log: () => {},
    });
    await debug.open();
    expect(JSON.stringify(await debug.preview())).not.toContain(instanceKey);
  });

  it("403 instance_key_mismatch rejects the report for good and gives the installation a new id and key", async () => {
    let refuse = true;
    const s = await localServer(() =>
      refuse
        ? { status: 403, body: { error: { code: "instance_key_mismatch", message: "…" } } }
        : { status: 200, body: pingAnswer() },
    );
    servers.push(s);
    const dir = await tempDir();
    const lines: string[] = [];
    const t = new Telemetry({
      product: "demo",
      endpoint: s.url,
      dir,
      argv: [],
      env: {},
      log: (l) => void lines.push(l),
      transport: noWait,
    });
    await t.open();
    const old = await onDisk(dir);
    await updateState(dir, "demo", (st) => ({ ...st, consent: "enabled" }));
    const out = await t.submit();
    expect(out.status).toBe("rejected");
    expect(s.pings()).toHaveLength(1); // not retried
    const now = await onDisk(dir);
    expect(now.instanceId).not.toBe(old.instanceId);
    expect(now.instanceKey).not.toBe(old.instanceKey);
    expect(now.consent).toBe("enabled"); // settings kept
    expect(lines.join("\n")).toContain(`reporting as a new installation ${now.instanceId}`);
    refuse = false;
    expect((await t.submit()).status).toBe("sent");
    const last = s.pings().at(-1)!;
    expect(JSON.parse(last.body).instanceId).toBe(now.instanceId);
    expect(last.headers.authorization).toBe(`Bearer ${now.instanceKey}`);
  });

  it("a proxy's 403 without the code is kept for later, as before", async () => {
    const s = await localServer(() => ({ status: 403, body: { message: "forbidden by proxy" } }));
    servers.push(s);
    const out = await sendPing(s.url, { instanceId: VECTOR.id, product: "demo" }, "k", noWait, "x".repeat(43));
    expect(out).toMatchObject({ ok: false, status: 403, retryable: true });
  });

  it("forgetRemote sends the key; the CLI's forget uses the state's key and says why a refusal happened", async () => {
    let answer: { status: number; body?: unknown } = { status: 204 };
    const s = await localServer(() => answer);
    servers.push(s);
    const key = "k".repeat(43);
    expect(await forgetRemote(s.url, VECTOR.id, noWait, key)).toEqual({ ok: true });
    expect(s.received[0]!.headers.authorization).toBe(`Bearer ${key}`);

    const dir = await tempDir();
    const state = await loadState(dir, "demo");
    const out: string[] = [];
    const io = { out: (x: string) => void out.push(x), err: (x: string) => void out.push(x), env: {} };
    answer = { status: 403, body: { error: { code: "instance_key_mismatch", message: "…" } } };
    expect(await runCli(["forget", "--product", "demo", "--dir", dir, "--endpoint", s.url], {}, io)).toBe(1);
    expect(out.join("\n")).toContain("holds another installation key");
    expect(await peekState(dir)).toMatchObject({ instanceId: state.instanceId, instanceKey: state.instanceKey });
    answer = { status: 204 };
    expect(await runCli(["forget", "--product", "demo", "--dir", dir, "--endpoint", s.url], {}, io)).toBe(0);
    const deletes = s.received.filter((r) => r.method === "DELETE" && r.url === `/v1/instances/${state.instanceId}`);
    expect(deletes.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${state.instanceKey}`,
      `Bearer ${state.instanceKey}`,
    ]);
  });

  it("forget in debug mode shows that it would send the key, without the key", async () => {
    const dir = await tempDir();
    const { instanceKey } = await loadState(dir, "demo");
    const out: string[] = [];
    const io = {
      out: (x: string) => void out.push(x),
      err: (x: string) => void out.push(x),
      env: { DEMO_TELEMETRY_DEBUG: "1" },
    };
    await runCli(["forget", "--product", "demo", "--dir", dir, "--endpoint", "http://127.0.0.1:9"], {}, io);
    expect(out.join("\n")).toContain("Authorization: Bearer <installation key>");
    expect(out.join("\n")).not.toContain(instanceKey!);
  });
});
