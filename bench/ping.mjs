// npm run bench: POST /v1/ping throughput and latency against a no-work route (GET /v1/health),
// both through `wrangler dev` (workerd + local D1) on this machine, then a loss check in D1.
// Usage: npm run bench -- [requests per phase, default 4000] [concurrency, default 32]
import { randomUUID } from "node:crypto";
import { startWorker } from "./server.mjs";

const total = Number(process.argv[2] ?? 4000);
const concurrency = Number(process.argv[3] ?? 32);

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function phase(name, makeRequest) {
  const latencies = [];
  const errors = {};
  const answers = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        try {
          const res = await makeRequest(i);
          const body = await res.text();
          latencies.push(performance.now() - t);
          if (res.status !== 200) errors[res.status] = (errors[res.status] ?? 0) + 1;
          else answers.push(body);
        } catch (e) {
          errors[e.code ?? "network"] = (errors[e.code ?? "network"] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const result = { name, rps: total / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), errors, answers };
  console.log(
    `${name.padEnd(16)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  errors ${JSON.stringify(errors)}`,
  );
  return result;
}

/** One configuration: its own wrangler dev and fresh local D1; prints and checks the figures. */
async function run(label, vars) {
  const worker = await startWorker({ port: 8820, vars });
  try {
    console.log(
      `\n[${label}] ${total} requests per phase, ${concurrency} concurrent clients, wrangler dev at ${worker.base}`,
    );
    // warm-up (compiles the worker, creates the day's salt)
    await phase("warm-up", () => fetch(`${worker.base}/v1/health`));
    const health = await phase("GET /v1/health", () => fetch(`${worker.base}/v1/health`));
    const ping = await phase("POST /v1/ping", (i) => {
      const body = {
        instanceId: randomUUID(),
        product: "bench",
        version: `1.${i % 7}.0`,
        os: { type: "Linux", release: "6.1", arch: "x64" },
        env: { nodejs: "v24.0.0" },
        platform: {
          counts: { users: i % 50, devices: i % 9 },
          config: { broker: { enabled: i % 2 === 0 } },
          license: { type: "EE" },
        },
      };
      // Distinct client addresses, as many installations would have (the limiter keys on them).
      return fetch(`${worker.base}/v1/ping`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "cf-connecting-ip": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        },
        body: JSON.stringify(body),
      });
    });
    console.log(`throughput ratio ping/no-work: ${(ping.rps / health.rps).toFixed(2)} (aim >= 0.5)`);
    const answered = new Set(ping.answers.map((a) => JSON.parse(a).uuid));
    const stored = new Set(worker.query("SELECT uuid FROM pings").map((r) => r.uuid));
    const lost = [...answered].filter((u) => !stored.has(u));
    console.log(
      `answered 200: ${answered.size}; stored in D1: ${stored.size}; lost: ${lost.length}; errors: ${Object.values(ping.errors).reduce((a, b) => a + b, 0)}`,
    );
    if (lost.length > 0 || Object.keys(ping.errors).length > 0) process.exitCode = 1;
  } finally {
    worker.stop();
  }
}

// As deployed (PING_DAMPING on: every ping also consults the simulated Rate Limiting binding),
// then with the limiter skipped, to show what that binding's local simulation costs.
await run("damping on (default)", {});
await run("damping off", { PING_DAMPING: "off" });
