import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FILES, stateDir, writeJsonAtomic } from "../../../client/node/state/files.ts";
import { loadState, peekState, updateState } from "../../../client/node/state/stateFile.ts";
import { tempDir } from "./helpers.ts";

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => vi.restoreAllMocks());

describe("state dir", () => {
  it("defaults to $XDG_DATA_HOME/<product>, else ~/.local/share/<product>; --dir overrides", () => {
    expect(stateDir("ferretdb", undefined, { XDG_DATA_HOME: "/data/xdg" })).toBe("/data/xdg/ferretdb");
    expect(stateDir("ferretdb", undefined, {})).toBe(path.join(os.homedir(), ".local", "share", "ferretdb"));
    expect(stateDir("ferretdb", undefined, { XDG_DATA_HOME: "relative/ignored" })).toBe(
      path.join(os.homedir(), ".local", "share", "ferretdb"),
    );
    expect(stateDir("ferretdb", "/srv/state", { XDG_DATA_HOME: "/data/xdg" })).toBe("/srv/state");
  });
});

describe("state file", () => {
  it("is created with a random v4 id, a _comment, owner-only permissions", async () => {
    const dir = path.join(await tempDir(), "nested", "product");
    const s = await loadState(dir, "ferretdb");
    expect(s.instanceId).toMatch(V4);
    const file = path.join(dir, FILES.state);
    const onDisk = JSON.parse(await fs.readFile(file, "utf8"));
    expect(onDisk.instanceId).toBe(s.instanceId);
    expect(onDisk._comment).toMatch(/random identifier.*Delete this file/s);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(dir)).mode & 0o077).toBe(0);
    // Stable across loads; different installations get different ids.
    expect((await loadState(dir, "ferretdb")).instanceId).toBe(s.instanceId);
    expect((await loadState(await tempDir(), "ferretdb")).instanceId).not.toBe(s.instanceId);
  });

  it("stays 0600 even under a permissive umask", async () => {
    const old = process.umask(0o000);
    try {
      const dir = await tempDir();
      await loadState(dir, "p");
      expect((await fs.stat(path.join(dir, FILES.state))).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it("is regenerated when missing, unparseable, invalid, or a known-bad id; the saved choice is kept", async () => {
    const dir = await tempDir();
    const file = path.join(dir, FILES.state);
    const first = await loadState(dir, "p");
    await updateState(dir, "p", (s) => ({ ...s, consent: "disabled", noticeVersion: 3 }));

    const bad = await loadState(dir, "p", [first.instanceId.toUpperCase()]);
    expect(bad.instanceId).not.toBe(first.instanceId);
    expect(bad).toMatchObject({ consent: "disabled", noticeVersion: 3 });

    for (const broken of [
      "{not json",
      JSON.stringify({ instanceId: "1234", createdAt: 1 }),
      JSON.stringify({ instanceId: "f0e1d2c3-b4a5-5678-9abc-def012345678", createdAt: 1 }),
    ]) {
      await fs.writeFile(file, broken);
      const again = await loadState(dir, "p");
      expect(again.instanceId).toMatch(V4);
      expect(JSON.parse(await fs.readFile(file, "utf8")).instanceId).toBe(again.instanceId);
    }
    await fs.rm(file);
    expect(await peekState(dir)).toBeUndefined();
    expect((await loadState(dir, "p")).instanceId).toMatch(V4);
  });

  it("writes atomically: a failed write leaves the old file whole and no temp file behind", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "x.json");
    await writeJsonAtomic(file, { version: 1 });
    const rename = vi.spyOn(fs, "rename").mockRejectedValueOnce(Object.assign(new Error("disk gone"), { code: "EIO" }));
    await expect(writeJsonAtomic(file, { version: 2 })).rejects.toThrow("disk gone");
    expect(rename).toHaveBeenCalledOnce();
    const [, target] = rename.mock.calls[0]!;
    expect(target).toBe(file);
    expect(JSON.parse(await fs.readFile(file, "utf8"))).toEqual({ version: 1 });
    expect(await fs.readdir(dir)).toEqual(["x.json"]);
  });

  it("writes through a temp file in the same dir that is renamed over the target", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "y.json");
    const rename = vi.spyOn(fs, "rename");
    await writeJsonAtomic(file, { a: 1 });
    const [from, to] = rename.mock.calls[0]!;
    expect(path.dirname(String(from))).toBe(dir);
    expect(String(from)).toMatch(/\.tmp$/);
    expect(to).toBe(file);
    expect(await fs.readdir(dir)).toEqual(["y.json"]);
  });
});
