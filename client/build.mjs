// Builds what the worker serves with esbuild: `npm run build` (then client/packages.mjs builds
// the npm packages).
// Each entry is [entry point, output file, esbuild options]; other clients add their rows here.
import { build } from "esbuild";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * The browser snippet, served by the worker as static assets (wrangler.toml [assets] ->
 * dist/assets): the gate `/candor.js` (every visitor, <= 2 KB gzip, no zod), its lazily loaded
 * posthog-js chunk, and the ESM build (`/esm/candor.mjs` + a lazy chunk; `splitting` -> outdir).
 */
const browser = {
  bundle: true,
  platform: "browser",
  target: "es2020",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
};
const browserScript = { ...browser, format: "iife" };
const browserEsm = {
  ...browser,
  format: "esm",
  splitting: true,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
};
const entries = [
  ["client/browser/gate.ts", "dist/assets/candor.js", browserScript],
  ["client/browser/chunk.ts", "dist/assets/candor-posthog.js", browserScript],
  ["client/browser/index.ts", "dist/assets/esm/candor.mjs", browserEsm],
  // The maintainer dashboard (/admin): one ESM bundle with uPlot; its CSS imports -> dashboard.css.
  ["client/dashboard/main.ts", "dist/assets/admin/dashboard.js", { ...browser, format: "esm", target: "es2022" }],
];
/** esbuild writes split builds to a directory: the entry keeps the output file's name. */
const output = (file, options) =>
  options.splitting
    ? { outdir: path.dirname(file), entryNames: path.basename(file, path.extname(file)) }
    : { outfile: file };

/**
 * Writes a file only when its bytes changed, atomically (temp file + rename): tests that rebuild
 * while `wrangler dev` serves dist/assets never see a half-written or needlessly touched file.
 */
async function writeIfChanged(file, contents) {
  const bytes = typeof contents === "string" ? Buffer.from(contents) : Buffer.from(contents);
  const old = await readFile(file).catch(() => undefined);
  if (old && old.equals(bytes)) return;
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  // like esbuild's own writes: a file starting with a hashbang (the CLI) is executable
  await writeFile(temp, bytes, { mode: bytes[0] === 0x23 && bytes[1] === 0x21 ? 0o755 : 0o644 });
  await rename(temp, file);
}

/** Removes chunks of earlier builds (their names carry a content hash). */
async function pruneChunks(dir, outputs) {
  const keep = new Set(outputs.map((f) => f.path));
  for (const name of await readdir(dir).catch(() => [])) {
    if (!keep.has(path.join(dir, name))) await rm(path.join(dir, name), { force: true });
  }
}

await Promise.all(
  entries.map(async ([entry, outfile, options]) => {
    const result = await build({
      ...options,
      entryPoints: [path.join(root, entry)],
      ...output(path.join(root, outfile), options),
      absWorkingDir: root,
      write: false,
    });
    await Promise.all(result.outputFiles.map((f) => writeIfChanged(f.path, f.contents)));
    if (options.splitting) await pruneChunks(path.join(root, path.dirname(outfile), "chunks"), result.outputFiles);
  }),
);
/**
 * PostHog's published HTML snippet loads `<api_host>/static/array.js`, and that bundle loads its
 * extensions lazily from `<api_host>/static/<name>.js?v=<version>` (surveys, exception and dead-click
 * autocapture, web vitals, ...). Both are copied from the INSTALLED posthog-js (never committed),
 * so they are always the version the lock file pins. An extension is a dist file whose name
 * array.js mentions as a string; entry bundles (array*, module*, main, loader*) are not.
 */
async function posthogStatic() {
  const dist = path.join(path.dirname(createRequire(import.meta.url).resolve("posthog-js/package.json")), "dist");
  const array = await readFile(path.join(dist, "array.js"), "utf8");
  const entry = /^(array|module|main|loader|all-external-dependencies)\b/;
  const names = (await readdir(dist))
    .filter((f) => f.endsWith(".js"))
    .map((f) => f.slice(0, -3))
    .filter((name) => !entry.test(name) && new RegExp(`["'\`]${name.replace(/[.]/g, "\\.")}["'\`]`).test(array));
  const out = path.join(root, "dist/assets/static");
  const files = ["array.js", ...names.map((n) => `${n}.js`)];
  await Promise.all(files.map(async (f) => writeIfChanged(path.join(out, f), await readFile(path.join(dist, f)))));
  await pruneChunks(
    out,
    files.map((f) => ({ path: path.join(out, f) })),
  );
  return files;
}
const posthogFiles = await posthogStatic();

// Static-asset headers (Workers Static Assets read `_headers`): the ESM build may be imported
// cross-origin; the script-tag files need no CORS. Short cache: snippet updates reach browsers.
await writeIfChanged(
  path.join(root, "dist/assets/_headers"),
  "/esm/*\n  Access-Control-Allow-Origin: *\n  Cache-Control: public, max-age=3600\n/candor*.js\n  Cache-Control: public, max-age=3600\n" +
    // posthog-js: PostHog's snippet loads array.js with crossorigin="anonymous", so CORS is required.
    "/static/*\n  Access-Control-Allow-Origin: *\n  Cache-Control: public, max-age=3600\n" +
    // Dashboard: nothing but this worker may be loaded or called; never framed; never cached.
    "/admin/*\n  Content-Security-Policy: default-src 'self'; img-src 'self' data: blob:; style-src 'self'; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'\n" +
    "  Cache-Control: no-store\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n",
);
await copyFile(path.join(root, "client/dashboard/index.html"), path.join(root, "dist/assets/admin/index.html"));
console.log(
  `built ${entries.map(([, out]) => out).join(", ")}; dist/assets/static: ${posthogFiles.length} posthog-js files`,
);
