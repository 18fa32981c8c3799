import { describe, expect, it, vi } from "vitest";
import v2 from "../fixtures/protocols/ferretdb-v2.7.0-docker-1day.json?raw";
import v1 from "../fixtures/protocols/ferretdb-v1.24.2-postgresql.json?raw";
import batch546 from "../fixtures/protocols/firefly-5.4.6-docker-batch.json?raw";
import { call, dumpDatabase, uuid } from "./helpers";

const IP = "203.0.113.91";
const UA_FERRET = "Go-http-client/1.1 planted-ferret-agent";
const UA_FIREFLY = "FireflyIII/5.4.6 planted-firefly-agent";
/** Private values planted in fields the clients really send. */
const PLANTED = {
  branch: "alice.smith@example.com/fix-acme-billing",
  commit: "deadbeefcafe0000000000000000000000000001",
  package: "docker-local-/home/alice/acme/Dockerfile",
  revision: "feedface00000000000000000000000000000002",
  pg: "PostgreSQL 16.2 on acme-db-01.internal.example.com, compiled by /opt/acme/gcc",
  command: "/home/alice/.ssh/id_rsa",
  arg: "password=hunter2",
  secretEnv: "sk_live_planted_secret",
};

describe("privacy: FerretDB and Firefly III reports keep nothing identifying", () => {
  it("stores and logs no IP, User-Agent, e-mail, path, branch, fork commit or secret from either protocol", async () => {
    const logs: string[] = [];
    for (const level of ["log", "warn", "error", "info"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
    }
    const headers = {
      "cf-connecting-ip": IP,
      "x-forwarded-for": IP,
      "content-type": "application/json; charset=utf-8",
    };
    for (const fixture of [v2, v1]) {
      const body = JSON.parse(fixture) as Record<string, unknown> & { build_environment: Record<string, string> };
      const planted = {
        ...body,
        uuid: uuid(),
        branch: PLANTED.branch,
        commit: PLANTED.commit,
        package: PLANTED.package,
        postgresql_version: PLANTED.pg,
        handler_version: PLANTED.pg,
        build_environment: {
          ...body.build_environment,
          "vcs.revision": PLANTED.revision,
          "-ldflags": PLANTED.secretEnv,
        },
        command_metrics: { OP_MSG: { [PLANTED.command]: { [PLANTED.arg]: { NotImplemented: 1 } } } },
      };
      const res = await call("/", {
        method: "POST",
        headers: { ...headers, "user-agent": UA_FERRET },
        body: JSON.stringify(planted),
      });
      expect(res.status).toBe(201);
    }
    const rows = JSON.parse(batch546) as Array<Record<string, string>>;
    rows.push({
      ...rows[0]!,
      key: "system.command.executed",
      value: `${PLANTED.command} --token=${PLANTED.secretEnv}`,
    });
    rows.push({ ...rows[0]!, key: "user.preferences.language", value: PLANTED.branch });
    const res = await call("/submit", {
      method: "POST",
      headers: { ...headers, "user-agent": UA_FIREFLY },
      body: JSON.stringify(rows),
    });
    expect(res.status).toBe(200);
    vi.restoreAllMocks();

    const dump = await dumpDatabase();
    expect(dump).toContain("3f8e2a64-71c9-4b0d-9e15-6a2c8d4f0b37"); // the dump is real
    expect(dump).toContain("NotImplemented");
    for (const secret of [
      IP,
      UA_FERRET,
      UA_FIREFLY,
      "planted",
      "alice",
      "acme",
      "example.com",
      "hunter2",
      "/home",
      "deadbeef",
      "feedface",
    ]) {
      expect(dump, secret).not.toContain(secret);
      expect(logs.join("\n"), secret).not.toContain(secret);
    }
  });
});
