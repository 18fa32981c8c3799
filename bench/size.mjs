// Sizes of what browsers download (gzip -9), next to posthog-js's own bundles: `npm run bench:size`.
// Run after `npm run build` (the npm script does). Prints a table and one JSON line.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const gz = (file) => gzipSync(readFileSync(path.join(root, file)), { level: 9 }).length;
const raw = (file) => readFileSync(path.join(root, file)).length;
const chunks = readdirSync(path.join(root, "dist/assets/esm/chunks")).map((f) => `dist/assets/esm/chunks/${f}`);

const gate = gz("dist/assets/candor.js");
const lazy = gz("dist/assets/candor-posthog.js");
const esm = gz("dist/assets/esm/candor.mjs");
const esmChunks = chunks.reduce((n, f) => n + gz(f), 0);
const rows = [
  ["gate /candor.js (every visitor)", raw("dist/assets/candor.js"), gate],
  ["lazy /candor-posthog.js (allowed only)", raw("dist/assets/candor-posthog.js"), lazy],
  ["allowed total (script tag)", null, gate + lazy],
  ["ESM /esm/candor.mjs", raw("dist/assets/esm/candor.mjs"), esm],
  ["ESM allowed total", null, esm + esmChunks],
  [
    "posthog-js default bundle (dist/module.js)",
    raw("node_modules/posthog-js/dist/module.js"),
    gz("node_modules/posthog-js/dist/module.js"),
  ],
  [
    "posthog-js array.js (CDN snippet)",
    raw("node_modules/posthog-js/dist/array.js"),
    gz("node_modules/posthog-js/dist/array.js"),
  ],
  [
    "posthog-js slim (dist/module.slim.js)",
    raw("node_modules/posthog-js/dist/module.slim.js"),
    gz("node_modules/posthog-js/dist/module.slim.js"),
  ],
];
for (const [name, r, g] of rows)
  console.log(`${name.padEnd(46)} ${(r === null ? "" : `${r} B raw`).padStart(14)} ${String(g).padStart(8)} B gzip`);
console.log(`gate budget 2048 B gzip: ${gate <= 2048 ? "OK" : "OVER"}`);
console.log(
  JSON.stringify({
    gateGzip: gate,
    allowedTotalGzip: gate + lazy,
    esmGzip: esm,
    esmAllowedTotalGzip: esm + esmChunks,
    posthogDefaultGzip: gz("node_modules/posthog-js/dist/module.js"),
  }),
);
if (gate > 2048) process.exitCode = 1;
