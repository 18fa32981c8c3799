import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runBin } from "./run.ts";

describe("build and contract checks", () => {
  it("schema and checked-in migrations do not drift apart", () => {
    const out = mkdtempSync(path.join(tmpdir(), "candor-drift-"));
    cpSync(path.join(ROOT, "schema/migrations"), out, { recursive: true });
    const before = readdirSync(out).filter((f) => f.endsWith(".sql"));
    const res = runBin("drizzle-kit", [
      "generate",
      "--dialect",
      "sqlite",
      "--schema",
      "./schema/tables/index.ts",
      "--out",
      out,
    ]);
    expect(res.status, res.out).toBe(0);
    const after = readdirSync(out).filter((f) => f.endsWith(".sql"));
    expect(after, `drizzle-kit generated a migration the repo lacks; run npm run db:generate\n${res.out}`).toEqual(
      before,
    );
  });

  it("worker/env.d.ts is what `wrangler types` generates from wrangler.toml", () => {
    const res = runBin("wrangler", ["types", "worker/env.d.ts", "--include-runtime=false", "--check"]);
    expect(res.status, res.out).toBe(0);
  });

  it("the deployable bundle builds offline (wrangler deploy --dry-run)", () => {
    const out = mkdtempSync(path.join(tmpdir(), "candor-dist-"));
    const res = runBin("wrangler", ["deploy", "--dry-run", "--outdir", out]);
    expect(res.status, res.out).toBe(0);
    const bundle = path.join(out, "index.js");
    expect(existsSync(bundle)).toBe(true);
    expect(statSync(bundle).size).toBeGreaterThan(10_000);
    expect(readFileSync(bundle, "utf8")).toContain("/v1/ping");
  });

  it("TypeScript compiles with no errors (worker, node, browser snippet, dashboard)", () => {
    for (const project of [
      "tsconfig.json",
      "tsconfig.node.json",
      "client/browser/tsconfig.json",
      "client/dashboard/tsconfig.json",
    ]) {
      const res = runBin("tsc", ["--noEmit", "-p", project]);
      expect(res.status, res.out).toBe(0);
    }
  });
});
