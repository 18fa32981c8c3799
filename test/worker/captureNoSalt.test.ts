import { expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, count, uuid } from "./helpers";

// Its own file: a fresh isolate and database, so no salt exists or is cached yet.
it("before the day's salt exists (no cron run yet), an identifier that names someone is dropped, nothing written to salts", async () => {
  const session = "01908f3c-5b2a-7cde-8f00-1234567890ac";
  const e = { uuid: uuid(), event: "$pageview", properties: { distinct_id: "zed@acme.example", $session_id: session } };
  const res = await call("/e/", { method: "POST", body: JSON.stringify({ api_key: "phc_candor_dev", batch: [e] }) });
  expect(res.status).toBe(200);
  const row = await env.DB.prepare("SELECT distinct_id, session_id FROM events WHERE uuid = ?").bind(e.uuid).first();
  expect(row).toEqual({ distinct_id: null, session_id: session });
  expect(await count("salts")).toBe(0);
});
