import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { snippetProps } from "../../../schema/wire/snippet.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const read = (f: string) => readFileSync(path.join(root, f), "utf8");

describe("browser build (client/build.mjs)", () => {
  beforeAll(() => {
    execFileSync(process.execPath, ["client/build.mjs"], { cwd: root, stdio: "pipe" });
  });

  it("the gate every visitor downloads is <= 2 KB gzip and carries neither zod nor posthog-js", () => {
    const gate = read("dist/assets/candor.js");
    expect(gzipSync(gate, { level: 9 }).length).toBeLessThanOrEqual(2048);
    expect(gate).not.toMatch(/ZodError|zod/i);
    expect(gate).not.toContain("_POSTHOG_REMOTE_CONFIG");
    expect(gate).toContain("candor-posthog.js");
  });

  it("posthog-js (slim, no external loading) lives only in the lazy chunks", () => {
    expect(read("dist/assets/candor-posthog.js")).toContain("_POSTHOG_REMOTE_CONFIG");
    const esm = read("dist/assets/esm/candor.mjs");
    expect(esm).not.toContain("_POSTHOG_REMOTE_CONFIG");
    const chunks = readdirSync(path.join(root, "dist/assets/esm/chunks"));
    expect(chunks.some((c) => read(`dist/assets/esm/chunks/${c}`).includes("_POSTHOG_REMOTE_CONFIG"))).toBe(true);
    expect(esm).toMatch(/import\(".\/chunks\/posthog-[A-Z0-9]+\.mjs"\)/);
  });

  it("every candor_* property the snippet sends is one the worker's contract names (schema/wire/snippet.ts)", () => {
    const allowed = new Set<string>(Object.values(snippetProps));
    const dir = path.join(root, "client/browser");
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => read(`client/browser/${f}`));
    const used = new Set(
      [...sources, read("dist/assets/candor.js")].flatMap((src) => src.match(/\bcandor_[a-z_]+\b/g) ?? []),
    );
    expect(used.size).toBeGreaterThan(3);
    for (const name of used) expect(allowed, `${name} is not in snippetProps`).toContain(name);
  });
});
