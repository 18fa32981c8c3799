// Child process for ledger.test.ts: one process of an installation changing the shared ledger.
//   record <dir> <endpoint> <prefix> <count>: records <count> feature facts, one after another
//   report <dir> <endpoint> <count>: sends <count> reports (the host's collect() takes a moment)
import { Telemetry } from "../../../client/node/telemetry.ts";

const [mode, dir, endpoint, a, b] = process.argv.slice(2);
const pause = () => new Promise((r) => setTimeout(r, 5));
const t = new Telemetry({
  product: "demo",
  endpoint: endpoint!,
  dir: dir!,
  argv: [],
  env: {},
  productDefault: "undecided",
  undecidedDelayMs: 3_600_000,
  noticeVersion: 0,
  log: (l) => process.stderr.write(`${l}\n`),
  transport: { attempts: 1 },
  collect: async () => (await pause(), { counts: { users: 1 } }),
});
await t.start();
if (mode === "record") for (let i = 0; i < Number(b); i++) await t.feature(`${a}${i}`, "1");
else for (let i = 0; i < Number(a); i++) await t.submit();
await t.stop();
process.stdout.write("done\n");
