#!/usr/bin/env node
// The `candor-telemetry` bin (bundled to dist/node/cli.mjs).
import { runCli } from "./runCli.ts";

// The library's timers are unref()ed so they never hold a host process open; the CLI, though,
// must live until its command has finished (retry backoffs included).
const keepAlive = setInterval(() => {}, 1 << 30);
runCli(process.argv.slice(2)).then(
  (code) => {
    clearInterval(keepAlive);
    process.exitCode = code;
  },
  (err: unknown) => {
    clearInterval(keepAlive);
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
