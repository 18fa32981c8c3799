import { describe, expect, it } from "vitest";
import { captureBody, count, dumpAllButEvents, call } from "./helpers";

// A hostile run against the simulated CAPTURE_LIMITER of wrangler.toml (300 per 60 s per client;
// miniflare counts in wall-clock windows, so a run that straddles a minute may get up to 600).
describe("a hostile client floods the capture routes", () => {
  it(
    "1,000 requests from one address: 429s, and exactly the accepted requests' events stored, nothing else",
    { timeout: 240_000 },
    async () => {
      const others = dumpAllButEvents;
      const rest = await others();
      const before = await count("events");
      const paths = ["/e/", "/i/v0/e/", "/batch/", "/capture/", "/track/"];
      let accepted = 0;
      let refused = 0;
      for (let i = 0; i < 1000; i++) {
        const res = await call(paths[i % paths.length]!, {
          method: "POST",
          body: captureBody(),
          headers: { "content-type": "text/plain", "cf-connecting-ip": "192.0.2.66" },
        });
        if (res.status === 200) accepted++;
        else {
          expect(res.status).toBe(429);
          expect(res.headers.get("retry-after")).toBe("60");
          refused++;
        }
        await res.body?.cancel();
      }
      expect(refused).toBeGreaterThanOrEqual(400);
      expect(accepted + refused).toBe(1000);
      expect(await count("events")).toBe(before + accepted);
      expect(await others()).toBe(rest); // no salt row, nothing else
      // Another client still gets through.
      const other = await call("/e/", {
        method: "POST",
        body: captureBody(),
        headers: { "cf-connecting-ip": "192.0.2.67" },
      });
      expect(other.status).toBe(200);
    },
  );
});
