import { describe, expect, it } from "vitest";
import type { ActiveStats, ExceptionStats, FactStats, SessionStats, VersionStats } from "../../schema";
import { utcDay } from "../../worker/lib/time";
import { admin } from "./helpers";
import { cron } from "./statsSeed";
import { FLOWFUSE, VIGILANT, envelope, fixture, nodePost, pythonPost } from "./sentryHelpers";

const today = utcDay(Date.now());
async function stats<T>(route: string, product: string): Promise<T> {
  const res = await admin(`/v1/admin/stats/${route}?product=${product}&from=${today}&to=${today}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const crashEvent = {
  event_id: "c0c0c0c0c0c04c0c8c0c0c0c0c0c0c0c",
  level: "fatal",
  release: "flowfuse@2.24.0",
  exception: {
    values: [
      {
        type: "TypeError",
        value: "boom",
        mechanism: { type: "onuncaughtexception", handled: false },
        stacktrace: { frames: [{ module: "forge.housekeeper", function: "run", lineno: 7, in_app: true }] },
      },
    ],
  },
};

describe("Sentry data in the stats API (rollups built by scheduled())", () => {
  it("ingests the fixtures, a crashed session, a fatal crash and a client report, then rolls up", async () => {
    const sends = [
      pythonPost("store", fixture("sentry-python-1.9.10-store-message-start-watch.json.gz")),
      pythonPost("store", fixture("sentry-python-1.9.10-store-exception-excepthook.json.gz")),
      pythonPost("envelope", fixture("sentry-python-1.9.10-envelope-sessions.envelope.gz")),
      nodePost(fixture("sentry-node-10.78.0-flowfuse-01-session.envelope"), FLOWFUSE),
      nodePost(
        envelope({}, [
          [{ type: "session" }, { sid: "crash1", init: true, status: "ok", attrs: { release: "flowfuse@2.24.0" } }],
          [
            { type: "client_report" },
            { discarded_events: [{ reason: "ratelimit_backoff", category: "error", quantity: 3 }] },
          ],
        ]),
        FLOWFUSE,
      ),
      nodePost(envelope({ event_id: crashEvent.event_id }, [[{ type: "event" }, crashEvent]]), FLOWFUSE),
    ];
    for (const res of await Promise.all(sends)) expect(res.status).toBe(200);
    // The session's end arrives later, as @sentry/node sends it: the same sid, now crashed.
    const end = { sid: "crash1", init: false, status: "crashed", errors: 1, attrs: { release: "flowfuse@2.24.0" } };
    expect((await nodePost(envelope({}, [[{ type: "session" }, end]]), FLOWFUSE)).status).toBe(200);
    await cron(Date.now());
  });

  it("release health: sessions per release and the crash-free share; what the SDK dropped", async () => {
    const ff = await stats<SessionStats>("sessions", FLOWFUSE.product);
    expect(ff.releases).toEqual([
      {
        version: "2.24.0",
        sessions: [2],
        errored: [1],
        crashed: [1],
        abnormal: [0],
        crash_free: 0.5,
        crash_free_by_day: [0.5],
      },
    ]);
    expect(ff.dropped).toEqual([{ key: "error/ratelimit_backoff", reports: [1], quantity: [3] }]);
    const vg = await stats<SessionStats>("sessions", VIGILANT.product);
    expect(vg.releases.map((r) => [r.version, r.sessions, r.crash_free])).toEqual([["5.4.0", [2], 1]]);
    expect(vg.not_filtered).toEqual([]);
  });

  it("release health under the filters: version applies; licence type and country do not exist for sessions", async () => {
    const of = (filters: string) =>
      admin(`/v1/admin/stats/sessions?product=${FLOWFUSE.product}&from=${today}&to=${today}&${filters}`).then(
        (r) => r.json() as Promise<SessionStats>,
      );
    const on = await of("version=2.24.0");
    expect(on.releases.map((r) => [r.version, r.sessions])).toEqual([["2.24.0", [2]]]);
    // Client reports carry no version: unfiltered, and said so.
    expect(on.not_filtered).toEqual(["dropped"]);
    expect((await of("version=9.9.9")).releases).toEqual([]);
    expect((await of("version=")).releases).toEqual([]);
    const de = await of("country=DE");
    expect(de.releases.map((r) => r.version)).toEqual(["2.24.0"]);
    expect(de.not_filtered).toEqual(["releases", "dropped"]);
  });

  it("exception groups: Sentry reports with and without an installation, crashes counted", async () => {
    const ff = await stats<ExceptionStats>("exceptions", FLOWFUSE.product);
    expect(ff.groups).toEqual([
      expect.objectContaining({
        type: "TypeError",
        occurrences: 1,
        crashes: 1,
        installation_days: 0,
        versions: ["2.24.0"],
      }),
    ]);
    const vg = await stats<ExceptionStats>("exceptions", VIGILANT.product);
    expect(vg.groups).toEqual([
      expect.objectContaining({
        type: "AttributeError",
        occurrences: 1,
        crashes: 1,
        installation_days: 1,
        versions: ["5.4.0"],
      }),
    ]);
  });

  it("the vigilant installation is active on its release, with its start message as a fact", async () => {
    expect((await stats<ActiveStats>("active", VIGILANT.product)).active1).toEqual([1]);
    const versions = await stats<VersionStats>("versions", VIGILANT.product);
    expect(versions.versions).toEqual([{ version: "5.4.0", installations: [1] }]);
    const facts = await stats<FactStats>("facts", VIGILANT.product);
    expect(facts.facts).toEqual([{ key: "sentry.message", value: "Start watch", installations: [1] }]);
    // FlowFuse's backend names no installation: no active installations from Sentry.
    expect((await stats<ActiveStats>("active", FLOWFUSE.product)).active1).toEqual([0]);
  });
});
