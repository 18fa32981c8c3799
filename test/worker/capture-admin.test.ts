import { describe, expect, it } from "vitest";
import { admin, call, uuid } from "./helpers";

const TOKEN = "phc_candor_dev";
interface Page {
  events: Array<{ uuid: string; event: string; sessionId: string | null; receivedAt: number }>;
  next: string | null;
}

async function capture(events: unknown[]) {
  const res = await call("/e/", { method: "POST", body: JSON.stringify({ api_key: TOKEN, batch: events }) });
  expect(res.status).toBe(200);
}

describe("GET /v1/admin/events", () => {
  it("needs the admin token", async () => {
    expect((await call("/v1/admin/events")).status).toBe(401);
  });

  it("filters by session and event, newest first, paged with a cursor", async () => {
    const session = uuid();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = Array.from({ length: 2 }, (_, j) => {
        const id = uuid();
        ids.push(id);
        return {
          uuid: id,
          event: j === 0 ? "$pageview" : "$pageleave",
          properties: { token: TOKEN, $session_id: session },
        };
      });
      await capture(batch);
    }
    await capture([{ uuid: uuid(), event: "$pageview", properties: { token: TOKEN, $session_id: "other" } }]);

    const all: Page["events"] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(`/v1/admin/events?session=${session}&limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      all.push(...page.events);
      cursor = page.next;
    } while (cursor);
    expect(all.map((e) => e.uuid).sort()).toEqual([...ids].sort());
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.receivedAt).toBeGreaterThanOrEqual(all[i]!.receivedAt);

    const views = (await (await admin(`/v1/admin/events?session=${session}&event=%24pageview`)).json()) as Page;
    expect(views.events).toHaveLength(3);
    expect(views.events.every((e) => e.event === "$pageview")).toBe(true);
  });

  it("since= (ms or ISO) hides older events; a bad value is 400", async () => {
    const future = Date.now() + 3_600_000;
    const page = (await (await admin(`/v1/admin/events?since=${future}`)).json()) as Page;
    expect(page.events).toEqual([]);
    expect((await admin(`/v1/admin/events?since=${new Date(future).toISOString()}`)).status).toBe(200);
    expect((await admin("/v1/admin/events?since=yesterday")).status).toBe(400);
  });
});
