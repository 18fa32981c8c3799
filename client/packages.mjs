// Builds the publishable packages (`npm run build` runs it after client/build.mjs):
//   client/node/dist     ESM (index.mjs + cli.mjs, shared chunks), unminified, source maps, .d.ts
//   client/browser/dist  ESM (index.mjs + a lazy posthog-js chunk), unminified, source maps, .d.ts
// Runtime dependencies stay external (zod for the Node client, posthog-js for the browser one), so
// npm de-duplicates them with the host's; the private @candor-telemetry/schema is bundled in.
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

const common = {
  bundle: true,
  format: "esm",
  splitting: true,
  minify: false,
  sourcemap: true,
  legalComments: "inline",
  logLevel: "warning",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  absWorkingDir: root,
};
const packages = [
  {
    dir: "client/node",
    entries: ["index.ts", { in: "cli/cli.ts", out: "cli" }],
    options: { platform: "node", target: "node18", external: ["zod"] },
  },
  {
    dir: "client/browser",
    entries: ["index.ts"],
    options: { platform: "browser", target: "es2020", external: ["posthog-js", "posthog-js/*"] },
  },
];

/** Every .d.ts under dir. */
async function declarations(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith(".d.ts")) out.push(path.join(e.parentPath, e.name));
  return out;
}

/**
 * tsc emits the declarations of the package and of the schema files it reaches to
 * dist/types/{client/<pkg>,schema}/ (tsconfig.build.json maps @candor-telemetry/schema/* to the
 * source). Consumers resolve neither `.ts` specifiers nor the private schema package, so both
 * become relative `.js` specifiers; dist/index.d.ts re-exports the entry.
 */
async function types(dir) {
  const dist = path.join(root, dir, "dist");
  await promisify(execFile)(process.execPath, [tsc, "-p", path.join(root, dir, "tsconfig.build.json")]);
  for (const file of await declarations(path.join(dist, "types"))) {
    const text = await readFile(file, "utf8");
    const fixed = text
      .replace(/(["'])(\.{1,2}\/[^"']+)\.ts\1/g, "$1$2.js$1")
      .replace(/(["'])@candor-telemetry\/schema\/([^"']+)\1/g, (_, q, sub) => {
        const target = path.join(dist, "types/schema", `${sub}.js`);
        let rel = path.relative(path.dirname(file), target);
        if (!rel.startsWith(".")) rel = `./${rel}`;
        return `${q}${rel}${q}`;
      });
    if (fixed !== text) await writeFile(file, fixed);
  }
  await writeFile(path.join(dist, "index.d.ts"), `export * from "./types/${dir}/index.js";\n`);
}

await Promise.all(
  packages.map(async ({ dir, entries, options }) => {
    const outdir = path.join(root, dir, "dist");
    await rm(outdir, { recursive: true, force: true });
    await build({
      ...common,
      ...options,
      entryPoints: entries.map((e) =>
        typeof e === "string" ? path.join(root, dir, e) : { in: path.join(root, dir, e.in), out: e.out },
      ),
      outdir,
    });
    await types(dir);
  }),
);
console.log(`built ${packages.map((p) => `${p.dir}/dist`).join(", ")}`);
