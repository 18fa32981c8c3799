import { describe, expect, it } from "vitest";
import { clientTimeRange, instanceExceptionsAnswer, pingLimits } from "../../schema";
import { fingerprint } from "../../worker/pipeline/ping/records";
import { scrubException } from "../../worker/pipeline/privacy/scrubException";
import { admin, post, uuid } from "./helpers";

const raw = (home: string) =>
  [
    "Error: connect ECONNREFUSED 10.0.0.12:5432",
    `    at Client.connect (${home}/app/node_modules/pg/lib/client.js:132:14)`,
    `    at start (${home}/app/forge/db.js:10:5)`,
    "    at node:internal/process/task_queues:95:5",
  ].join("\n");

describe("every exception passes the scrubbing step", () => {
  it("/v1/ping exceptions: message and stack are scrubbed before they are stored (stored as sent before)", async () => {
    const id = uuid();
    const res = await post("/v1/ping", {
      instanceId: id,
      product: "p-exc",
      exceptions: [
        {
          id: uuid(),
          type: "Error",
          message: "login alice@acme.example from 203.0.113.9:443 read /home/alice/.config/app.json token=Zx9",
          stack: raw("/home/alice"),
          collectedAt: 1_700_000_000_000,
        },
      ],
    });
    expect(res.status).toBe(200);
    const list = await admin(`/v1/admin/instances/${id}/exceptions`);
    const { items: exceptions } = instanceExceptionsAnswer.parse(await list.json());
    expect(exceptions[0]!.message).toBe("login <email> from <ip>:443 read <path>/app.json token=<secret>");
    expect(exceptions[0]!.stack).toBe(
      [
        "Error: connect ECONNREFUSED <ip>:5432",
        "    at Client.connect (<path>/client.js:132:14)",
        "    at start (<path>/db.js:10:5)",
        "    at node:internal/process/task_queues:95:5",
      ].join("\n"),
    );
  });

  it("one crash is one group whoever's home it ran from, scrubbed by the client or not", async () => {
    const prints = await Promise.all(
      ["/home/alice", "/Users/bob", "<home>", "C:\\Users\\carol"].map(async (home) => {
        const e = scrubException({ id: uuid(), type: "Error", stack: raw(home), collectedAt: 1 });
        return fingerprint(e.type, e.stack);
      }),
    );
    expect(new Set(prints).size).toBe(1);
  });

  it("a Sentry-shaped record: only the allowed fields come out, frames innermost first, known names replaced", () => {
    const source = {
      id: "0e5c7a1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d",
      type: "RuntimeError",
      message: "exchange rejected key for erin on erin-laptop",
      frames: [
        {
          filename: "/home/erin/.local/bin/vigilant",
          function: "<module>",
          lineno: 8,
          vars: { api_key: "k-SECRET" },
          context_line: "main()",
        },
        {
          abs_path: "/home/erin/.local/lib/python3.11/site-packages/vigilant/watch.py",
          module: "vigilant.watch",
          function: "loop",
          lineno: 42,
          pre_context: ["secret = 's-SECRET'"],
        },
      ],
      collectedAt: 4_200_000_000_000,
      user: { email: "erin@acme.example", username: "erin" },
      server_name: "erin-laptop",
      breadcrumbs: [{ message: "GET https://api.example/?key=1" }],
      extra: { "sys.argv": ["vigilant", "--secret", "s-SECRET"] },
      contexts: { device: { boot_time: "x" } },
    };
    const out = scrubException(source, { users: ["erin"], hosts: [source.server_name] });
    expect(out).toEqual({
      id: source.id,
      type: "RuntimeError",
      message: "exchange rejected key for <user> on <host>",
      stack: ["    at loop (watch.py:42)", "    at <module> (vigilant:8)"].join("\n"),
      collectedAt: clientTimeRange.max,
    });
    expect(JSON.stringify(out)).not.toMatch(/SECRET|erin|main\(\)/);
  });

  it("clips after scrubbing (a cut would hide half an address); an empty type is `Error`", () => {
    const long = `${"x".repeat(pingLimits.exceptionMessage - 5)} alice@acme.example`;
    const out = scrubException({ id: uuid(), type: "", message: long, stack: null, collectedAt: -5 });
    expect(out.message).toHaveLength(pingLimits.exceptionMessage);
    expect(out.message).not.toContain("alice");
    expect(out).toMatchObject({ type: "Error", collectedAt: clientTimeRange.min });
    expect(Object.keys(out).sort()).toEqual(["collectedAt", "id", "message", "type"]);
  });
});
