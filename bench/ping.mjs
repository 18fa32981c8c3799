// npm run bench: POST /v1/ping, FerretDB's beacon (POST /), Firefly III's POST /submit and the
// Sentry routes (sentry-python's gzip /store/ exception, @sentry/node's /envelope/ exception):
// throughput and latency of each against a no-work route (GET /v1/health), all through
// `wrangler dev` (workerd + local D1) on this machine, then a loss check in D1 per protocol.
// Usage: npm run bench -- [requests per phase, default 4000] [concurrency, default 32]
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { startWranglerDev } from "../test/harness/wranglerDev.ts";
import { phase } from "./phase.mjs";

const total = Number(process.argv[2] ?? 4000);
const concurrency = Number(process.argv[3] ?? 32);
const fixture = (name) => readFileSync(new URL(`../test/fixtures/protocols/${name}`, import.meta.url), "utf8");
// The recorded bodies, each request as another installation (a fresh uuid / installation_id).
const ferretdb = JSON.parse(fixture("ferretdb-v2.7.0-docker-1day.json"));
const firefly = JSON.parse(fixture("firefly-5.4.6-docker-batch.json"));
const clientIp = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** One phase of `total` requests from `concurrency` clients (bench/phase.mjs). */
const load = (name, makeRequest, okStatus = 200) => phase(name, total, concurrency, makeRequest, { okStatus });

const sentryFixture = (name) => readFileSync(new URL(`../test/fixtures/sentry/${name}`, import.meta.url), "utf8");
const pyException = JSON.parse(sentryFixture("sentry-python-1.9.10-store-exception-excepthook.json"));
const [nodeHeader, nodeItemHeader, nodeEvent] = sentryFixture(
  "sentry-node-10.78.0-vigilant-06-event-handled-exception.envelope",
).split("\n");
const VIGILANT = { project: "6134822", key: "2de30dc7030a4a78a41fad327ba0acff" };
const eventId = () => randomUUID().replaceAll("-", "");

/** The Sentry phases: each request a new event, as the SDK sends it; then every 200 must be a row. */
async function sentryPhases(worker, health) {
  // Distinct client addresses (PROTOCOL_LIMITER keys on them), apart from the other phases'.
  const ip = (i) => clientIp(i + 4 * total);
  const store = await load("POST sentry store", (i) =>
    fetch(`${worker.url}/api/${VIGILANT.project}/store/`, {
      method: "POST",
      headers: {
        "cf-connecting-ip": ip(i),
        "x-sentry-auth": `Sentry sentry_key=${VIGILANT.key}, sentry_version=7, sentry_client=sentry.python/1.9.10`,
        "content-type": "application/json",
        "content-encoding": "gzip",
      },
      body: gzipSync(JSON.stringify({ ...pyException, event_id: eventId() })),
    }),
  );
  const envelope = await load("POST sentry env", (i) => {
    const id = eventId();
    const event = JSON.stringify({ ...JSON.parse(nodeEvent), event_id: id });
    const header = JSON.stringify({ ...JSON.parse(nodeHeader), event_id: id });
    return fetch(`${worker.url}/api/${VIGILANT.project}/envelope/?sentry_version=7&sentry_key=${VIGILANT.key}`, {
      method: "POST",
      headers: { "cf-connecting-ip": ip(i + total) },
      body: [header, nodeItemHeader, event].join("\n"),
    });
  });
  console.log(
    `throughput ratio sentry store/no-work: ${(store.rps / health.rps).toFixed(2)}, envelope/no-work: ${(envelope.rps / health.rps).toFixed(2)}`,
  );
  const answered = new Set([...store.answers, ...envelope.answers].map((a) => JSON.parse(a).id));
  const stored = new Set((await worker.query("SELECT replace(id, '-', '') AS id FROM exceptions")).map((r) => r.id));
  const lost = [...answered].filter((id) => !stored.has(id));
  console.log(`sentry answered 200: ${answered.size}; stored in D1: ${stored.size}; lost: ${lost.length}`);
  if (lost.length > 0 || Object.keys(store.errors).length + Object.keys(envelope.errors).length > 0)
    process.exitCode = 1;
}

/** One configuration: its own wrangler dev and fresh local D1; prints and checks the figures. */
async function run(label, vars) {
  // Its own local D1 under BENCH_PERSIST_ROOT (default the OS temp dir), a free port, no request log.
  const worker = await startWranglerDev({ vars, tmpRoot: process.env.BENCH_PERSIST_ROOT, quiet: true });
  try {
    console.log(
      `\n[${label}] ${total} requests per phase, ${concurrency} concurrent clients, wrangler dev at ${worker.url}`,
    );
    // warm-up (compiles the worker, creates the day's salt)
    await load("warm-up", () => fetch(`${worker.url}/v1/health`));
    const health = await load("GET /v1/health", () => fetch(`${worker.url}/v1/health`));
    const ping = await load("POST /v1/ping", (i) => {
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
      return fetch(`${worker.url}/v1/ping`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "cf-connecting-ip": clientIp(i),
        },
        body: JSON.stringify(body),
      });
    });
    const beacon = await load(
      "POST / (FerretDB)",
      (i) =>
        fetch(`${worker.url}/`, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8", "cf-connecting-ip": clientIp(i) },
          body: JSON.stringify({ ...ferretdb, uuid: randomUUID() }),
        }),
      201,
    );
    const submit = await load("POST /submit", (i) => {
      const installation = randomUUID();
      return fetch(`${worker.url}/submit`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "FireflyIII/5.4.6",
          "cf-connecting-ip": clientIp(i),
        },
        body: JSON.stringify(firefly.map((row) => ({ ...row, installation_id: installation }))),
      });
    });
    for (const p of [ping, beacon, submit]) {
      console.log(`throughput ratio ${p.name}/no-work: ${(p.rps / health.rps).toFixed(2)} (aim >= 0.5)`);
    }
    // Loss: every success answered must be a stored ping (FerretDB and Firefly: one ping per request).
    const stored = async (product) =>
      Number((await worker.query(`SELECT count(*) AS n FROM pings WHERE product = '${product}'`))[0].n);
    const answered = new Set(ping.answers.map((a) => JSON.parse(a).uuid));
    const pingUuids = new Set(
      (await worker.query("SELECT uuid FROM pings WHERE product = 'bench'")).map((r) => r.uuid),
    );
    const checks = [
      ["POST /v1/ping", answered.size, [...answered].filter((u) => pingUuids.has(u)).length, ping.errors],
      ["POST /", beacon.answers.length, await stored("ferretdb"), beacon.errors],
      ["POST /submit", submit.answers.length, await stored("firefly-iii"), submit.errors],
    ];
    for (const [name, ok, kept, errors] of checks) {
      const failed = Object.values(errors).reduce((a, b) => a + b, 0);
      console.log(`${name}: answered ${ok}; stored in D1: ${kept}; lost: ${ok - kept}; errors: ${failed}`);
      if (ok !== kept || failed > 0) process.exitCode = 1;
    }
    await sentryPhases(worker, health);
  } finally {
    await worker.stop();
  }
}

// As deployed (PING_DAMPING on: every ping also consults the simulated Rate Limiting binding),
// then with the limiter skipped, to show what that binding's local simulation costs.
await run("damping on (default)", {});
await run("PING_DAMPING off (the ping class only; the protocol routes stay limited)", { PING_DAMPING: "off" });
