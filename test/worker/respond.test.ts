import { describe, expect, it, vi } from "vitest";
import { HttpError } from "../../worker/lib/error";
import { toErrorResponse } from "../../worker/http/respond";

const request = new Request("https://candor.test/v1/ping");

describe("the single error mapper", () => {
  it("answers an HttpError with its status, code, extra fields and headers", async () => {
    const res = toErrorResponse(
      new HttpError(413, "payload_too_large", "Too big.", { path: "$" }, { "retry-after": "5" }),
      request,
    );
    expect(res.status).toBe(413);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toEqual({ error: { code: "payload_too_large", message: "Too big.", path: "$" } });
  });

  it("answers an unknown error with a generic 500 and logs the detail as structured JSON", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = toErrorResponse(new TypeError("D1_ERROR: secret internal detail"), request);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret");
    expect(JSON.parse(text)).toEqual({ error: { code: "internal_error", message: "Internal error." } });
    const line = JSON.parse(String(spy.mock.calls[0]![0])) as Record<string, string>;
    expect(line).toMatchObject({
      level: "error",
      msg: "unhandled",
      name: "TypeError",
      detail: "D1_ERROR: secret internal detail",
      route: "/v1/ping",
    });
    spy.mockRestore();
  });

  it("handles a thrown non-Error value", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = toErrorResponse("boom", request);
    expect(res.status).toBe(500);
    spy.mockRestore();
  });
});
