import { describe, expect, it } from "vitest";
import { eventsAnswer, type AdminEvent } from "../../schema";
import { admin, call, uuid } from "./helpers";

const TOKEN = "phc_candor_dev";

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

    const all: AdminEvent[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(`/v1/admin/events?session=${session}&limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = eventsAnswer.parse(await res.json());
      all.push(...page.items);
      cursor = page.next;
    } while (cursor);
    expect(all.map((e) => e.uuid).sort()).toEqual([...ids].sort());
    const time = (e: AdminEvent) => Date.parse(e.received_at);
    for (let i = 1; i < all.length; i++) expect(time(all[i - 1]!)).toBeGreaterThanOrEqual(time(all[i]!));
    expect(all.every((e) => e.session_id === session)).toBe(true);

    const views = eventsAnswer.parse(
      await (await admin(`/v1/admin/events?session=${session}&event=%24pageview`)).json(),
    );
    expect(views.items).toHaveLength(3);
    expect(views.items.every((e) => e.event === "$pageview")).toBe(true);
  });

  it("since= (ms or ISO) hides older events; a bad value is 400", async () => {
    const future = Date.now() + 3_600_000;
    const page = eventsAnswer.parse(await (await admin(`/v1/admin/events?since=${future}`)).json());
    expect(page.items).toEqual([]);
    expect((await admin(`/v1/admin/events?since=${new Date(future).toISOString()}`)).status).toBe(200);
    expect((await admin("/v1/admin/events?since=yesterday")).status).toBe(400);
  });
});
