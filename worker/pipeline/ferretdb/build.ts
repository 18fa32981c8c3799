/**
 * What a FerretDB report says about its build and database, reduced to coarse values: the Go
 * version, the package kind, debug/dirty flags, version numbers of PostgreSQL and DocumentDB (v2)
 * or of the backend (v1.x), and the build settings of build_environment. Dropped: `commit`,
 * `branch` and `vcs.revision` (they name private forks), `vcs.time`, and the full
 * `version()` strings (distro, compiler, host names).
 */
import { words, type FerretdbReport } from "../../../schema";
import { publicValue } from "../../../schema/privacy/scrub";

/** FerretDB's Taskfile package names; `docker-local-<file>` names a local file and is cut to its prefix. */
const PACKAGES = words(`
  docker docker-development docker-eval docker-eval-dev deb deb-development rpm rpm-development
  bin bin-development build-host unknown
`);
/** v1.x backends: the --handler flag (v1.3-v1.12) or the first word of the database's version() (v1.13+). */
const BACKENDS = words("PostgreSQL SQLite MySQL pg sqlite mysql tigris hana");
/** build_environment keys kept (build settings: no revision, no time). */
const BUILD_KEYS = [
  "-buildmode",
  "-compiler",
  "-trimpath",
  "CGO_ENABLED",
  "GOARCH",
  "GOOS",
  "GOAMD64",
  "vcs",
  "vcs.modified",
];
const token = /^[\w.+-]{1,32}$/;
const goVersion = /^go[\w.+-]{1,30}$/;

const leadingVersion = (text: string | undefined) => /^(\d{1,4}(?:\.\d{1,4}){0,2})\b/.exec(text ?? "")?.[1];

export function packageName(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (PACKAGES.has(p)) return p;
  return p.startsWith("docker-local-") ? "docker-local" : "other";
}

/** The ping's `env` (runtimes and build facts, short strings) and `config` (build settings). */
export function buildFacts(r: FerretdbReport): { env: Record<string, string>; config: Record<string, string> | null } {
  const build = r.build_environment ?? {};
  const env: Record<string, string | undefined> = {
    go: [build["go.version"], build["go.runtime"]].find((v): v is string => typeof v === "string" && goVersion.test(v)),
    package: packageName(r.package),
    debug: r.debug === undefined ? undefined : String(r.debug),
    dirty: r.dirty === undefined ? undefined : String(r.dirty),
    postgresql: /PostgreSQL (\d{1,4}(?:\.\d{1,4}){0,2})\b/.exec(r.postgresql_version ?? "")?.[1],
    documentdb: leadingVersion(r.documentdb_version),
    backend: r.handler === undefined ? undefined : BACKENDS.has(r.handler) ? r.handler : "other",
    backend_version: leadingVersion(r.handler_version),
  };
  const config: Record<string, string> = {};
  for (const key of BUILD_KEYS) {
    const v = build[key];
    const text = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : "";
    if (token.test(text) && publicValue(text) !== undefined) {
      config[key] = text;
    }
  }
  return {
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    config: Object.keys(config).length > 0 ? config : null,
  };
}
