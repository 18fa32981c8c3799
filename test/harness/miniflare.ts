/**
 * The worker in-process through Miniflare's API, for tests that need only the worker and its
 * bindings over HTTP (no `wrangler dev` CLI, no static-asset `_headers` rules, no /__scheduled
 * route). Still real: the bundle `wrangler deploy --dry-run` builds (what a deploy uploads), run by
 * workerd with wrangler.toml's bindings (read by wrangler's own `unstable_getMiniflareWorkerOptions`),
 * a real local D1 under a fresh state dir (same `v3/` layout as `--persist-to`, so wrangler d1
 * commands read it too), migrations applied in-process the way wrangler and the vitest plugin do
 * (one batch per file, recorded in d1_migrations). Listens on a port the OS picks (port 0).
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { tempStateDir } from "./localD1.ts";
import { adminFetch, CRON, DEFAULT_ADMIN_TOKEN, type RunningWorker, type WorkerOptions } from "./runningWorker.ts";
import { ROOT, wranglerSync } from "./wrangler.ts";

const MIGRATIONS = path.join(ROOT, "schema/migrations");

/** `wrangler deploy --dry-run --outdir <dir>`: the deployable bundle, built offline. */
function bundle(outdir: string): string {
  wranglerSync(["deploy", "--dry-run", "--outdir", outdir]);
  return path.join(outdir, "index.js");
}

/** Applies schema/migrations/*.sql in name order, each file in one D1 batch with its d1_migrations row. */
async function migrate(mf: Miniflare): Promise<void> {
  const db = await mf.getD1Database("DB");
  await db
    .prepare(
      `CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
        applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
    )
    .run();
  const files = readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  for (const name of files) {
    const queries = unstable_splitSqlQuery(readFileSync(path.join(MIGRATIONS, name), "utf8"));
    await db.batch([
      ...queries.map((q) => db.prepare(q)),
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(name),
    ]);
  }
}

/** Starts the worker in this process; resolves once /v1/health answers. `persistTo` must be unset or migrated. */
export async function startMiniflare(options: WorkerOptions = {}): Promise<RunningWorker> {
  const adminToken = options.adminToken ?? DEFAULT_ADMIN_TOKEN;
  const owned = options.persistTo === undefined;
  const persistTo = options.persistTo ?? tempStateDir("candor-mf-", options.tmpRoot);
  const build = tempStateDir("candor-mf-bundle-", options.tmpRoot);
  let output = "";
  let mf: Miniflare | undefined;
  const stop = async () => {
    const running = mf;
    mf = undefined;
    await running?.dispose();
    rmSync(build, { recursive: true, force: true });
    if (owned) rmSync(persistTo, { recursive: true, force: true });
  };
  try {
    const scriptPath = bundle(build);
    const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
    // The bundle is one self-contained module: no module rules to apply.
    const { modulesRules: _rules, bindings, ...worker } = workerOptions;
    const vars = bindings as Record<string, unknown>; // wrangler.toml [vars] (typed unknown by wrangler)
    // Miniflare 5 takes v4-shaped options (what wrangler's helper returns) through this converter, as wrangler does.
    mf = new Miniflare(
      convertV4MiniflareOptions({
        host: "127.0.0.1",
        port: 0,
        cf: false, // Miniflare's placeholder request.cf; never fetched from the network
        resourcePersistencePath: path.join(persistTo, "v3"),
        log: new Log(LogLevel.WARN),
        handleStructuredLogs: ({ level, message }) => void (output += `[${level}] ${message}\n`),
        workers: [
          {
            ...worker,
            name: "candor",
            modules: true,
            modulesRoot: build,
            scriptPath,
            bindings: { ...vars, ...options.vars, ADMIN_TOKEN: adminToken },
          },
        ],
      }),
    );
    const url = (await mf.ready).origin;
    if (owned) await migrate(mf);
    if (options.seedSql !== undefined) {
      const db = await mf.getD1Database("DB");
      await db.batch(unstable_splitSqlQuery(options.seedSql).map((q) => db.prepare(q)));
    }
    const health = await fetch(`${url}/v1/health`);
    await health.text();
    if (!health.ok) throw new Error(`/v1/health answered ${health.status}\n${output}`);
    const running = mf;
    return {
      url,
      persistTo,
      adminToken,
      admin: adminFetch(url, adminToken),
      async query<T>(sql: string) {
        const { results } = await (await running.getD1Database("DB")).prepare(sql).all<T>();
        return results;
      },
      async scheduled(cron = CRON) {
        const worker = await running.getWorker();
        const r = await worker.scheduled({ cron, scheduledTime: new Date() });
        if (r.outcome !== "ok") throw new Error(`scheduled() ended ${r.outcome}\n${output}`);
      },
      pid: process.pid,
      log: () => output,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
