import { beforeEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import worker from "../../worker/index";
import { emptyDatabase } from "./helpers";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 0, 17); // 2026-11-20 00:17 UTC

async function salts(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT day FROM salts ORDER BY day").all<{ day: string }>();
  return results.map((r) => r.day);
}

async function cron(at: number): Promise<void> {
  // The worker's real scheduled() handler, with a controlled scheduledTime.
  await worker.scheduled({ scheduledTime: at, cron: "17 * * * *", noRetry() {} }, env);
}

describe("scheduled(): daily IP-hash salt rotation", () => {
  beforeEach(emptyDatabase);

  it("creates today's and tomorrow's salts ahead, and deletes each 48 h after its day began", async () => {
    await cron(T0);
    expect(await salts()).toEqual(["2026-11-20", "2026-11-21"]);
    await cron(T0 + DAY);
    expect(await salts()).toEqual(["2026-11-20", "2026-11-21", "2026-11-22"]);
    await cron(T0 + 2 * DAY - 60 * 60_000); // 2026-11-21 23:17: the 20th's salt is 47 h old
    expect(await salts()).toEqual(["2026-11-20", "2026-11-21", "2026-11-22"]);
    await cron(T0 + 2 * DAY); // 2026-11-22 00:17: the 20th's salt is 48 h 17 min old
    expect(await salts()).toEqual(["2026-11-21", "2026-11-22", "2026-11-23"]);
  });

  it("salts are random and distinct per day", async () => {
    // Days of its own: the worker caches recent days' salts per isolate (store/salts.ts), and
    // an emptied table under a warm cache would not be refilled for a day another test used.
    const T1 = Date.UTC(2026, 11, 1, 0, 17); // 2026-12-01 00:17 UTC
    await cron(T1);
    await cron(T1 + 60 * 60_000); // the same day again: its salt is kept, not redrawn
    await cron(T1 + DAY); // and tomorrow's each time: 12-01, 12-02, 12-03
    const { results } = await env.DB.prepare("SELECT day, salt FROM salts ORDER BY day").all<{
      day: string;
      salt: string;
    }>();
    expect(results.map((r) => r.day)).toEqual(["2026-12-01", "2026-12-02", "2026-12-03"]);
    expect(new Set(results.map((r) => r.salt)).size).toBe(3);
    for (const r of results) expect(r.salt).toMatch(/^[0-9a-f]{64}$/); // 32 random bytes, hex
  });
});
