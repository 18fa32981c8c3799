import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { errorCode, post, uuid } from "./helpers";

// Own file: storage is isolated per test file, so breaking D1 here affects no other test.
describe("storage failure", () => {
  it("answers 503 storage_unavailable with Retry-After, no D1 text, and logs the detail", async () => {
    await post("/v1/ping", { instanceId: uuid() }); // creates today's salt
    await env.DB.prepare("DROP TABLE pings").run();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await post("/v1/ping", { instanceId: uuid(), product: "x" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    const text = await res.text();
    expect(text).not.toMatch(/no such table|D1|SQLITE/i);
    expect(JSON.parse(text).error.code).toBe("storage_unavailable");
    const lines = logged.mock.calls.map((c) => JSON.parse(String(c[0])) as { msg: string; detail: string });
    expect(lines.some((l) => l.msg === "storage failure" && /no such table/.test(l.detail))).toBe(true);
    logged.mockRestore();
    expect(await errorCode(await post("/v1/ping", { instanceId: "bad" }))).toBe("invalid_field");
  });
});
