/**
 * Import layers (docs/CONTRIBUTING.md), checked by `npm run lint:layers` inside `npm test`.
 * worker: entry (index, router, scheduled) -> routes -> pipeline -> store -> lib; http/ is the
 * request/response edge (only the entry files and routes use it); config.ts sits beside lib.
 * schema/ is shared by everything and imports nothing of the others; clients never import worker/.
 */
const layer = (name, path, allowed) => ({
  name: `${name}-imports-downward`,
  comment: `${name} may import only: ${allowed.join(", ")}`,
  severity: "error",
  from: { path },
  to: { path: "^(worker|schema|client)/", pathNot: [path, ...allowed] },
});

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    layer("lib", "^worker/lib/", ["^schema/"]),
    layer("config", "^worker/config\\.ts$", ["^worker/lib/", "^schema/"]),
    layer("store", "^worker/store/", ["^worker/lib/", "^worker/config\\.ts$", "^schema/"]),
    layer("pipeline", "^worker/pipeline/", ["^worker/store/", "^worker/lib/", "^worker/config\\.ts$", "^schema/"]),
    layer("http", "^worker/http/", ["^worker/lib/", "^worker/config\\.ts$", "^schema/"]),
    layer("routes", "^worker/routes/", [
      "^worker/pipeline/",
      "^worker/store/",
      "^worker/lib/",
      "^worker/http/",
      "^worker/config\\.ts$",
      "^schema/",
    ]),
    layer("schema", "^schema/", []),
    layer("client", "^client/", ["^schema/"]),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "(^|/)(node_modules|dist|test|bench)/" },
  },
};
