import { describe, expect, it, vi } from "vitest";
import flowfuse from "../fixtures/ping-flowfuse-ee.json";
import { dumpDatabase, post, uuid } from "./helpers";

const IP = "203.0.113.77";
const IPV6 = "2001:db8:85a3::8a2e:370:7334";
const UA = "SecretAgent/9.9 (candor-privacy-probe)";

describe("privacy: nothing that identifies a person is stored or logged", () => {
  it("never stores or logs the client IP, the User-Agent or the licence id", async () => {
    const logs: string[] = [];
    for (const level of ["log", "warn", "error", "info"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
    }
    for (const ip of [IP, IPV6]) {
      for (const body of [
        flowfuse,
        { ...flowfuse, instanceId: uuid() },
        { instanceId: uuid(), product: "p", version: "1.0.0" },
      ]) {
        const res = await post("/v1/ping", body, { "cf-connecting-ip": ip, "x-forwarded-for": ip, "user-agent": UA });
        expect(res.status).toBe(200);
      }
    }
    // a failing request too: errors must not log identifying data either
    await post("/v1/ping", { instanceId: "nope" }, { "cf-connecting-ip": IP, "user-agent": UA });
    vi.restoreAllMocks();
    const dump = await dumpDatabase();
    expect(dump).toContain(flowfuse.instanceId); // the dump is real
    for (const secret of [IP, IPV6, UA, "SecretAgent", flowfuse.platform.license.id]) {
      expect(dump).not.toContain(secret);
      expect(logs.join("\n")).not.toContain(secret);
    }
  });
});
