import { describe, expect, it } from "vitest";
import { dumpDatabase } from "./helpers";
import { FLOWFUSE, VIGILANT, envelope, fixture, gzip, nodePost, pythonPost, rows, text } from "./sentryHelpers";

/** A FlowFuse-shaped @sentry/node event carrying every private field an SDK may send. */
const flowfuseEvent = {
  event_id: "f1f1f1f1f1f14f1f8f1f1f1f1f1f1f1f",
  level: "error",
  platform: "node",
  timestamp: 1796044309.685,
  release: "flowfuse@2.24.0",
  environment: "production",
  server_name: "alice-laptop.corp.example.com",
  user: {
    id: "p8Wq3Zk1",
    username: "alice.smith",
    email: "alice.smith@example.com",
    name: "Alice Smith",
    ip_address: "203.0.113.7",
  },
  request: {
    url: "https://forge.example.org/api/v1/teams/REQUEST_PATH_PLANTED?token=QUERY_PLANTED",
    method: "POST",
    headers: {
      Cookie: "sid=COOKIE_PLANTED",
      Authorization: "Bearer AUTH_HEADER_PLANTED",
      "X-Forwarded-For": "198.51.100.23",
    },
    query_string: "token=QUERY_STRING_PLANTED",
    data: { password: "hunter2-PLANTED" },
    env: { REMOTE_ADDR: "198.51.100.24" },
  },
  breadcrumbs: [
    { category: "console", message: "connecting as BREADCRUMB_USER_PLANTED to 192.0.2.55" },
    { category: "http", data: { url: "https://internal.example.net/BREADCRUMB_URL_PLANTED" } },
  ],
  exception: {
    values: [
      {
        type: "Error",
        value:
          "connect ECONNREFUSED 10.0.0.12:5432 for alice.smith@example.com from alice-laptop in /home/alice/flowfuse/forge/db.js (api_key=sk_live_PLANTEDtoken123) see https://forge.example.org/x?y=1",
        mechanism: { type: "generic", handled: true },
        stacktrace: {
          frames: [
            {
              filename: "/home/alice/flowfuse/forge/db.js",
              abs_path: "/home/alice/flowfuse/forge/db.js",
              module: "forge.db",
              function: "connect",
              lineno: 12,
              in_app: true,
              pre_context: ["const PRE_CONTEXT_PLANTED = 1"],
              context_line: "throw new Error(CONTEXT_LINE_PLANTED)",
              post_context: ["// POST_CONTEXT_PLANTED"],
              vars: { password: "FRAME_VAR_PLANTED", email: "vars-alice@example.com" },
            },
          ],
        },
      },
    ],
  },
  contexts: {
    device: { boot_time: "2026-11-30T13:04:32.882Z", cpu_description: "DEVICE_CPU_PLANTED", memory_size: 25276502016 },
    culture: { locale: "xx-PLANTED", timezone: "Europe/CULTURE_PLANTED" },
    cloud_resource: { "host.id": "CLOUD_HOST_PLANTED" },
    os: { kernel_version: "KERNEL_PLANTED", name: "Debian" },
    app: { app_start_time: "2026-11-30T13:11:48.791Z" },
  },
  extra: { "sys.argv": ["forge", "--token", "ARGV_PLANTED"] },
  modules: { "private-module-planted": "1.0.0" },
  tags: { hostname: "TAG_HOST_PLANTED" },
};

/** What must never be found anywhere in D1 after all of the above (case-insensitive). */
const planted = [
  "alice", // user name, home directory owner, host name
  "example.com", // e-mail domains
  "example.org",
  "example.net",
  "Alice Smith",
  "p8Wq3Zk1", // a FlowFuse user hashid
  "203.0.113.7",
  "198.51.100.",
  "192.0.2.55",
  "10.0.0.12",
  "/home/",
  "hunter2",
  "PLANTED",
  "kraken-api-key-EXAMPLE", // the Python fixture's frame vars
  "c2VjcmV0LWV4YW1wbGU",
  "config.yml", // a path in the Python fixture's source lines
  "vigilant_like.py full", // sys.argv
  "pygobject", // modules
  "AMD EPYC", // the Node fixture's device context
  "kernel_version",
  "6.18.44",
  "boot_time",
  "Europe/",
  "app_start_time",
];

describe("nothing private is kept from Sentry events", () => {
  it("every fixture and a FlowFuse event full of private fields are accepted", async () => {
    const sends = [
      pythonPost("store", fixture("sentry-python-1.9.10-store-message-start-watch.json.gz")),
      pythonPost("store", fixture("sentry-python-1.9.10-store-exception-excepthook.json.gz")),
      pythonPost("envelope", fixture("sentry-python-1.9.10-envelope-sessions.envelope.gz")),
      nodePost(fixture("sentry-node-10.78.0-vigilant-01-session-init.envelope")),
      nodePost(fixture("sentry-node-10.78.0-vigilant-06-event-handled-exception.envelope")),
      nodePost(fixture("sentry-node-10.78.0-flowfuse-01-session.envelope"), FLOWFUSE),
      nodePost(envelope({ event_id: flowfuseEvent.event_id }, [[{ type: "event" }, flowfuseEvent]]), FLOWFUSE),
      // The same event through /store/ with the Python transport's headers, under another id.
      pythonPost("store", await gzip(text(JSON.stringify({ ...flowfuseEvent, event_id: "f2".repeat(16) }))), FLOWFUSE),
      // A vigilant-style event whose user id is an e-mail: no installation, no fact.
      pythonPost(
        "store",
        await gzip(text(JSON.stringify({ message: "Watching", user: { id: "alice@example.com" } }))),
        VIGILANT,
      ),
    ];
    for (const res of await Promise.all(sends)) expect(res.status).toBe(200);
  });

  it("the FlowFuse event is an exception group with a scrubbed message and no installation", async () => {
    const [e] = await rows<Record<string, unknown>>(
      "SELECT * FROM exceptions WHERE id = 'f1f1f1f1-f1f1-4f1f-8f1f-1f1f1f1f1f1f'",
    );
    expect(e).toMatchObject({
      instance_id: null,
      product: "flowforge",
      type: "Error",
      message: "connect ECONNREFUSED <ip>:5432 for <email> from <host> in <path>/db.js (api_key=<secret>) see <url>",
      stack: "    at connect (db.js:12)",
      version: "2.24.0",
      handled: 1,
    });
  });

  it.each(planted)("the whole database holds no %j", async (value) => {
    expect((await dumpDatabase()).toLowerCase()).not.toContain(value.toLowerCase());
  });

  it("the scan is not vacuous: what is kept is there", async () => {
    const dump = await dumpDatabase();
    for (const kept of [
      "AttributeError",
      "Start watch",
      "flowforge",
      "2.24.0",
      "9b1f0c3e-7d2a-4f6b-8e5c-1a0d3f7b9e2c",
    ]) {
      expect(dump).toContain(kept);
    }
  });
});
