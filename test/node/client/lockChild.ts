// Child process for lock.test.ts: one "replica" of an installation sharing a state dir.
// Prints one JSON line per scheduled report; stays alive until its stdin closes.
import { Telemetry } from "../../../client/node/telemetry.ts";

const [dir, endpoint] = process.argv.slice(2);
const t = new Telemetry({
  product: "demo",
  endpoint: endpoint!,
  dir: dir!,
  argv: [],
  env: {},
  productDefault: "undecided",
  undecidedDelayMs: 0,
  noticeVersion: 0,
  log: () => {},
  transport: { attempts: 1 },
  onReport: (o) => process.stdout.write(`${JSON.stringify({ pid: process.pid, status: o.status })}\n`),
});
await t.start();
process.stdin.resume();
process.stdin.on("end", () => void t.stop().then(() => process.exit(0)));
