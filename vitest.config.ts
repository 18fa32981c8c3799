import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

// Three projects (`npm test` runs all; `npm run test:<name>` one):
// - `worker`: inside workerd through the vitest plugin (real local D1; storage isolated per file);
// - `node`: plain Node: the instance client and CLI (against the worker in-process through
//   Miniflare, test/harness/miniflare.ts), the snippet's unit tests, build and contract checks;
// - `e2e`: headless Chromium against `wrangler dev` (test/harness/wranglerDev.ts, browser.ts), and
//   the packed packages installed into a throwaway host project (test/node/pack).
const E2E = [
  "test/node/e2e/**/*.test.ts",
  "test/node/dashboard.test.ts",
  "test/node/dashboardDemo.test.ts",
  "test/node/dashboardFresh.test.ts",
  "test/node/pack/**/*.test.ts",
];

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(__dirname, "schema/migrations"));
  // Recorded protocol bytes (gzip included) for the worker tests, which cannot read files: name -> base64.
  const sentryDir = path.join(__dirname, "test/fixtures/sentry");
  const sentryFixtures = Object.fromEntries(
    readdirSync(sentryDir)
      .filter((f) => f.startsWith("sentry-"))
      .map((f) => [f, readFileSync(path.join(sentryDir, f)).toString("base64")]),
  );
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              // INGEST_MODE "direct": routes write before answering, so tests read what they sent at
              // once; test/worker/queue*.test.ts drive the queued path and the consumer.
              miniflare: {
                bindings: {
                  ADMIN_TOKEN: "test-admin-token",
                  INGEST_MODE: "direct",
                  TEST_MIGRATIONS: migrations,
                  TEST_SENTRY_FIXTURES: sentryFixtures,
                },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/worker/**/*.test.ts"],
            setupFiles: ["./test/worker/setup.ts"],
            // Generous for a loaded 2-core machine; speed is measured by the benchmarks, never here.
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: "node",
            include: ["test/node/**/*.test.ts"],
            exclude: E2E,
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
        {
          test: {
            name: "e2e",
            include: E2E,
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
