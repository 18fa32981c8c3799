/**
 * The published packages as a maker gets them: `npm pack` each workspace package, install the
 * tarballs into a throwaway host project in the OS temp dir (outside the repository: nothing
 * resolves from the repo's node_modules there), then use them as that project would.
 * Dependencies of the tarballs (zod, posthog-js, @types/node) come from npm's cache or registry.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../harness/wrangler.ts";
import { TOKEN, settle } from "../e2e/harness.ts";
import { e2eSetup } from "../e2e/setup.ts";

const PACKAGES = ["client/node", "client/browser"] as const;
/** Node 24 (the project's) and the machine's own Node (20 here): the Node package says >= 18. */
const NODES = [process.execPath, ...(existsSync("/usr/bin/node") ? ["/usr/bin/node"] : [])];
const GATE_BUDGET = 2048; // gzip bytes of what every visitor downloads

interface Packed {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
}

const host = mkdtempSync(path.join(tmpdir(), "candor-host-"));
const packed: Packed[] = [];
const e = e2eSetup();

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(cmd, args, { cwd: host, encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${res.status}\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}
/** Option names of a package README's options table (first column, backticked). */
function documentedOptions(pkg: string): string[] {
  const readme = readFileSync(path.join(ROOT, pkg, "README.md"), "utf8");
  return [...readme.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, "client/packages.mjs")], { cwd: ROOT, stdio: "pipe" });
  for (const pkg of PACKAGES) {
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", host], {
      cwd: path.join(ROOT, pkg),
      encoding: "utf8",
    });
    packed.push((JSON.parse(out) as Packed[])[0]!);
  }
  writeFileSync(path.join(host, "package.json"), JSON.stringify({ name: "host", private: true, type: "module" }));
  run("npm", [
    "install",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    ...packed.map((p) => `./${p.filename}`),
    "@types/node@22",
  ]);
}, 600_000);
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe("packed packages in a host project", () => {
  it("packs only the build, the README, the CHANGELOG and the LICENSE", () => {
    for (const p of packed) console.log(`${p.name}: ${p.size} B packed, ${p.unpackedSize} B unpacked`);
    const listed = (name: string) => readdirSync(path.join(host, "node_modules", name)).sort();
    expect(listed("@candor-telemetry/node")).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "dist", "package.json"]);
    expect(listed("@candor-telemetry/browser")).toEqual([
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      "dist",
      "package.json",
    ]);
    // the private schema package is bundled in, never a dependency of a published one
    expect(existsSync(path.join(host, "node_modules/@candor-telemetry/schema"))).toBe(false);
  });

  it.each(NODES)("imports the Node package and runs its CLI through npx on %s", (node) => {
    const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim().slice(1);
    const env = { PATH: `${path.dirname(node)}:${process.env.PATH}` }; // the bin's `env node`
    const keys = run(node, [
      "--input-type=module",
      "-e",
      'const m = await import("@candor-telemetry/node"); console.log(Object.keys(m).sort().join(","))',
    ]);
    for (const name of ["createTelemetry", "Telemetry", "ConsentError", "decideConsent", "runCli"])
      expect(keys).toContain(name);

    const dir = mkdtempSync(path.join(host, "state-"));
    expect(run("npx", ["--no-install", "candor-telemetry", "--help"], env)).toContain("Usage: candor-telemetry");
    const status = JSON.parse(
      run("npx", ["--no-install", "candor-telemetry", "status", "--product", "x", "--dir", dir, "--json"], env),
    );
    expect(status).toMatchObject({ product: "x", dir, state: "undecided" });
    const preview = JSON.parse(
      run("npx", ["--no-install", "candor-telemetry", "preview", "--product", "x", "--dir", dir, "--json"], env),
    );
    expect(preview).toMatchObject({ product: "x", env: { nodejs: version } }); // ran on that Node
  });

  it("type-checks a consumer using every documented option with tsc --strict (declarations included)", () => {
    const nodeOptions = documentedOptions("client/node");
    const browserOptions = documentedOptions("client/browser");
    expect(nodeOptions.length).toBeGreaterThan(20);
    expect(browserOptions.length).toBeGreaterThan(6);
    const consumer = `import { createTelemetry, ConsentError, type TelemetryOptions } from "@candor-telemetry/node";
import { Candor, decide, type Decision, type StartOptions } from "@candor-telemetry/browser";

const options: TelemetryOptions = {
  product: "ferretdb",
  endpoint: "https://telemetry.example.com",
  version: "2.1.0",
  prefix: "FERRETDB",
  dir: "/var/lib/ferretdb",
  productDefault: "undecided",
  argv: process.argv,
  env: process.env,
  licensed: true,
  config: "enabled",
  admin: false,
  knownBadIds: ["00000000-0000-4000-8000-000000000000"],
  collect: async () => ({ counts: { databases: 3 }, config: { backend: "pg" }, license: { type: "community" } }),
  initialised: false,
  noticeVersion: 2,
  notice: "Telemetry is on.",
  onUpdate: (n) => void n.latestVersion?.toUpperCase(),
  log: (line: string) => void line,
  onReport: (o) => void o.serverUuid,
  uptime: () => 12,
  transport: { timeoutMs: 3000, attempts: 3, backoffMs: 1000, retryAfterCapMs: 30_000, fetch, signal: new AbortController().signal },
  startupDelayMs: 10_000,
  undecidedDelayMs: 3_600_000,
  periodMs: 86_400_000,
  random: Math.random,
  now: Date.now,
};
const telemetry = createTelemetry(options);
export const ref: string | undefined = telemetry.browserRef;
export const wrongWord = (e: unknown): boolean => e instanceof ConsentError;

const start: StartOptions = {
  apiHost: "https://telemetry.example.com",
  token: "phc_x",
  license: Promise.resolve({ active: true, type: "enterprise" }),
  config: { fileEnabled: true, adminEnabled: false },
  instanceRef: "AAAAAAAAAAAAAAAAAAAAAA",
  appVersion: "2.1.0",
  persistence: "memory",
  botFilter: true,
};
export const decision: Promise<Decision> = Candor.start(start);
export const offline: Decision = decide({ license: null, config: { adminEnabled: true }, gpc: false });
`;
    for (const name of [...nodeOptions, ...browserOptions]) expect(consumer).toMatch(new RegExp(`\\b${name}:`));
    writeFileSync(path.join(host, "consumer.ts"), consumer);
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    // no --skipLibCheck: the shipped .d.ts files are checked too
    run(process.execPath, [
      tsc,
      "--strict",
      "--noEmit",
      "--target",
      "es2022",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--lib",
      "es2022,dom",
      "--types",
      "node",
      "consumer.ts",
    ]);
  });

  it("bundles the browser package with esbuild: gate <= 2 KB gzip, posthog-js in a lazy chunk; events arrive from Chromium", async () => {
    writeFileSync(
      path.join(host, "app.js"),
      `import { Candor } from "@candor-telemetry/browser";
export function boot(apiHost) {
  const decision = Candor.start({ apiHost, token: ${JSON.stringify(TOKEN)}, license: { active: true, type: "enterprise" }, botFilter: false, appVersion: "9.9.9" });
  Candor.capture("packed_bundle", { plan: "pro" });
  return decision;
}
`,
    );
    const outdir = path.join(host, "site");
    await build({
      absWorkingDir: host,
      entryPoints: ["app.js"],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      minify: true,
      outdir,
      logLevel: "warning",
    });
    const files = readdirSync(outdir).filter((f) => f.endsWith(".js"));
    const entry = readFileSync(path.join(outdir, "app.js"));
    const gate = gzipSync(entry, { level: 9 }).length;
    console.log(`gate in a consumer's esbuild bundle: ${entry.length} B, ${gate} B gzip`);
    expect(gate).toBeLessThanOrEqual(GATE_BUDGET);
    expect(entry.toString()).not.toContain("_POSTHOG_REMOTE_CONFIG");
    const lazy = files.filter((f) => readFileSync(path.join(outdir, f), "utf8").includes("_POSTHOG_REMOTE_CONFIG"));
    expect(lazy).toHaveLength(1);

    for (const f of files) e.demo.file(`/site/${f}`, readFileSync(path.join(outdir, f), "utf8"));
    e.demo.file(
      "/packed.html",
      `<!doctype html><html><head><meta charset="utf-8"><title>packed</title>
<script type="module">import { boot } from "/site/app.js"; window.__decision = boot(${JSON.stringify(e.worker.url)});</script>
</head><body><p>packed</p></body></html>`,
    );
    const page = await e.browser.newPage();
    const failed: string[] = [];
    page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ""}`));
    await page.goto(`${e.demo.url}/packed.html`);
    await page.waitForFunction(() => (window as unknown as { __decision?: unknown }).__decision !== undefined);
    const decision = await page.evaluate(() => (window as unknown as { __decision: Promise<unknown> }).__decision);
    expect(decision).toEqual({ allowed: true, reason: "licensed" });
    const custom = await settle(
      () => e.events("event=packed_bundle"),
      (rows) => rows.length >= 1,
    );
    const views = await settle(
      () => e.events("event=%24pageview"),
      (rows) => rows.some((r) => r.path === "/packed.html"),
    );
    await page.close();
    expect(failed).toEqual([]);
    expect(custom).toHaveLength(1);
    expect(custom[0]).toMatchObject({ props: { plan: "pro" } });
    expect(views.filter((r) => r.path === "/packed.html")).toHaveLength(1);
  });
});
