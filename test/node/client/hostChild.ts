// A host process embedding the Node client (hostPromises.test.ts): runs one scenario and prints
// one JSON line with what the host saw. It must reach the end on its own: a hang or a crash is
// the failure the test looks for (the process is killed after the test's deadline).
import { Telemetry } from "../../../client/node/telemetry.ts";
import type { TelemetryOptions } from "../../../client/node/options.ts";

interface Scenario {
  dir: string;
  endpoint: string;
  scenario: "unusable" | "collectHangs" | "enableUndecided" | "capture";
  productDefault?: TelemetryOptions["productDefault"];
  argv?: string[];
  env?: Record<string, string>;
}

const s = JSON.parse(process.argv[2]!) as Scenario;
const logs: string[] = [];
const ms = (t0: number) => Date.now() - t0;
const t = new Telemetry({
  product: "demo",
  version: "1.0.0",
  endpoint: s.endpoint,
  dir: s.dir,
  argv: s.argv ?? [],
  env: s.env ?? {},
  productDefault: s.productDefault ?? "enabled",
  startupDelayMs: s.scenario === "enableUndecided" ? 50 : 3_600_000,
  noticeVersion: 0,
  transport: { attempts: 1 },
  log: (l) => void logs.push(l),
  ...(s.scenario === "collectHangs" ? { collect: () => new Promise<never>(() => {}) } : {}),
  ...(s.scenario === "capture"
    ? {
        collect: () => ({
          counts: { users: 3 },
          config: {
            smtp: { from: "ops@acme-corp.com", host: "10.9.8.7" },
            dataDir: "/srv/acme-corp-prod/data",
            db_password: "hunter3",
          },
          license: { type: "enterprise" },
        }),
      }
    : {}),
  onReport: (o) => out({ event: "report", status: o.status }),
});
function out(o: Record<string, unknown>) {
  process.stdout.write(`${JSON.stringify({ ...o, logs })}\n`);
}

// A host keeps its event loop alive (a server, a database); the client's own timers never do.
const hostLife = setInterval(() => {}, 1 << 30);
const t0 = Date.now();
const decision = await t.start();
const startMs = ms(t0);
if (s.scenario === "capture") {
  const cause = new Error("connect ECONNREFUSED 10.20.30.40:5432 as db user svc_acme");
  await t.captureException(
    new Error("payment failed for customer jane.doe@acme.com, see https://admin:hunter2@billing.acme.io/x?token=abc", {
      cause,
    }),
  );
  await t.feature("admin_contact", "jane.doe@acme.com");
  out({ event: "preview", payload: await t.preview() });
} else if (s.scenario === "enableUndecided") {
  out({ event: "started", decision });
  await t.enable();
  // waits for the report line (onReport), then the test closes stdin
} else {
  await t.feature("sso", "on");
  await t.captureException(new Error("boom"));
  const t1 = Date.now();
  await t.stop();
  out({ event: "done", decision, startMs, stopMs: ms(t1), current: t.decision });
  clearInterval(hostLife);
  process.exit(0);
}
process.stdin.resume();
process.stdin.on("end", () => void t.stop().then(() => process.exit(0)));
