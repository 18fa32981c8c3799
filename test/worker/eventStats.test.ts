import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventStats } from "../../schema";
import { writeEvents } from "../../worker/store/eventWrites";
import type { EventRow } from "../../worker/store/events";
import { database } from "../../worker/store/db";
import { admin, count, errorCode } from "./helpers";

const DAYS = ["2026-10-01", "2026-10-02", "2026-10-03"];

// Written through the event writer (no cron): the view reads the counters it keeps.
beforeAll(async () => {
  const rows: EventRow[] = [];
  const add = (product: string, event: string, day: string, version: string | null, props: object | null) => {
    const t = Date.parse(`${day}T10:00:00Z`) + rows.length;
    rows.push({
      uuid: `u${rows.length}`,
      product,
      event,
      timestamp: t,
      receivedAt: t,
      day,
      appVersion: version,
      props: props as EventRow["props"],
    });
  };
  add("evp", "export_done", DAYS[0]!, "1.0.0", { format: "csv" });
  add("evp", "export_done", DAYS[1]!, "1.1.0", { format: "csv" });
  add("evp", "export_done", DAYS[1]!, "1.1.0", { format: "pdf" });
  add("evp", "signup", DAYS[2]!, null, null);
  add("evp", "$pageview", DAYS[2]!, "1.1.0", null); // not a custom event
  add("other", "export_done", DAYS[2]!, "1.1.0", null); // another product
  add("evp", "export_done", "2026-09-30", "1.0.0", null); // before the range
  await writeEvents(database(env), env.ARCHIVE, rows, Date.parse("2026-10-03T12:00:00Z"));
  // A resend of the same rows counts nothing.
  expect((await writeEvents(database(env), env.ARCHIVE, rows, Date.parse("2026-10-03T12:00:00Z"))).inserted).toBe(0);
  expect(await count("events")).toBe(rows.length);
});

describe("GET /v1/admin/stats/events", () => {
  it("custom events by name per day, per app version, with their top property values", async () => {
    const res = await admin(`/v1/admin/stats/events?product=evp&from=${DAYS[0]}&to=${DAYS[2]}`);
    expect(res.status).toBe(200);
    const e = (await res.json()) as EventStats;
    expect(e.days).toEqual(DAYS);
    expect(e.events).toEqual([
      {
        event: "export_done",
        total: 3,
        per_day: [1, 2, 0],
        versions: [
          { version: "1.1.0", count: 2 },
          { version: "1.0.0", count: 1 },
        ],
        top_props: [
          { key: "format", value: "csv", count: 2 },
          { key: "format", value: "pdf", count: 1 },
        ],
      },
      { event: "signup", total: 1, per_day: [0, 0, 1], versions: [{ version: "", count: 1 }], top_props: [] },
    ]);
  });

  it("validates the range like every stats route", async () => {
    expect(await errorCode(await admin("/v1/admin/stats/events?product=evp&from=2026-10-05&to=2026-10-01"))).toBe(
      "invalid_query",
    );
  });
});
