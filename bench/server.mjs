// Starts the worker under `wrangler dev` with its own local D1 (a temp --persist-to dir),
// migrations applied, and resolves once GET /v1/health answers. Used by the benchmarks.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(ROOT, "node_modules/.bin", name);

/** A port the OS says is free now (port 0): benchmarks never collide with another wrangler dev. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startWorker({
  port: fixedPort,
  token = "bench-token",
  vars = {},
  persistRoot = process.env.BENCH_PERSIST_ROOT ?? tmpdir(),
}) {
  const port = fixedPort ?? (await freePort());
  const persist = mkdtempSync(path.join(persistRoot, "candor-bench-"));
  // node_modules/.bin first: wrangler's shebang must find the project's Node 24, not the system's.
  const env = {
    ...process.env,
    PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
    CI: "true",
    WRANGLER_SEND_METRICS: "false",
  };
  const migrate = spawnSync(bin("wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: ROOT,
    env,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}${migrate.stderr}`);
  const child = spawn(
    bin("wrangler"),
    [
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      persist,
      "--var",
      `ADMIN_TOKEN:${token}`,
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      "--log-level",
      "error",
    ],
    {
      cwd: ROOT,
      env,
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    // Its own server or nothing: a wrangler that exited (port taken) must not leave us measuring another one.
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}) before it was ready`);
    try {
      if ((await fetch(`${base}/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i === 599) throw new Error("wrangler dev did not become ready");
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  /** Runs SQL against the same local D1 and returns the rows. */
  const query = (sql) => {
    const res = spawnSync(
      bin("wrangler"),
      ["d1", "execute", "DB", "--local", "--persist-to", persist, "--json", "--command", sql],
      { cwd: ROOT, env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 },
    );
    if (res.status !== 0) throw new Error(`d1 execute failed: ${res.stderr}`);
    return JSON.parse(res.stdout)[0].results;
  };
  return { base, token, persist, stop, query };
}
