// Cost of recording with a full ledger: `npm run bench:client` (builds first).
// Fills a fresh state dir with 500 exception reports (stack traces), then times 50 more
// captureException calls one after another and 200 at once. Prints a table and one JSON line.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { createTelemetry } = await import(path.join(root, "dist/node/index.mjs"));

const dir = await mkdtemp(path.join(os.tmpdir(), "candor-bench-client-"));
const t = createTelemetry({
  product: "bench",
  version: "1.0.0",
  endpoint: "http://127.0.0.1:9", // nothing listens: nothing is sent during the bench
  dir,
  argv: [],
  env: {},
  productDefault: "enabled",
  startupDelayMs: 3_600_000,
  noticeVersion: 0,
  transport: { attempts: 1, timeoutMs: 200 },
  log: () => {},
});
await t.start();
const failure = (i) => new Error(`bench failure ${i} while handling request`);
for (let i = 0; i < 500; i++) await t.captureException(failure(i));

const each = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  await t.captureException(failure(1000 + i));
  each.push(performance.now() - t0);
}
each.sort((a, b) => a - b);
const t0 = performance.now();
await Promise.all(Array.from({ length: 200 }, (_, i) => t.captureException(failure(2000 + i))));
const concurrent = performance.now() - t0;
await t.stop();
await rm(dir, { recursive: true, force: true });

const ms = (n) => Math.round(n * 100) / 100;
const result = {
  ledgerEntries: 500,
  captureExceptionMedianMs: ms(each[25]),
  captureExceptionP90Ms: ms(each[45]),
  concurrent200Ms: ms(concurrent),
};
console.log(
  `captureException at 500 ledger entries: median ${result.captureExceptionMedianMs} ms, p90 ${result.captureExceptionP90Ms} ms`,
);
console.log(`200 concurrent captureException calls: ${result.concurrent200Ms} ms`);
console.log(JSON.stringify(result));
