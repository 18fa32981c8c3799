import type { EventStats } from "../../schema/wire/stats";
import { getJson } from "./api";
import { lineChart, versionColor } from "./charts";
import { card, fmt, h, swatch, table, utcToday } from "./dom";
import { panel } from "./panel";
import { qs, unfilteredNote } from "./overview";
import { isFiltered, type Query } from "./state";
import { eventFilterStatus } from "./frontendView";

/** Custom events (Candor.capture): by name over time, top property values and app versions per event. */
export function eventsView(q: Query, onUnauthorized: () => void): HTMLElement {
  return panel(
    "Custom events",
    async () => {
      const e = await getJson<EventStats>(`/v1/admin/stats/events?${qs(q)}`);
      if (e.events.length === 0 && isFiltered(q)) {
        return [
          ...eventFilterStatus(q),
          card(
            "Custom events",
            h(
              "p",
              {},
              "No custom events match the filter in this range. Clear or change the filter to see the others.",
            ),
          ),
        ];
      }
      if (e.events.length === 0) {
        return [
          card(
            "Custom events",
            h(
              "p",
              {},
              "No custom events in this range. Send one from the browser snippet with ",
              h("code", {}, "Candor.capture('export_done', { format: 'csv' })"),
              " and it shows up here by name, per day and per app version.",
            ),
          ),
        ];
      }
      return [
        ...eventFilterStatus(q),
        unfilteredNote(e, q, "custom events"),
        h(
          "div",
          { class: "grid" },
          lineChart(
            "Custom events per day",
            e.days,
            e.events.slice(0, 8).map((x) => ({ label: x.event, values: x.per_day })),
            { unit: "events", today: utcToday() },
          ),
        ),
        card(
          "Events by name",
          table("Custom events, most frequent first", e.events, [
            { label: "Event", cell: (x) => h("b", {}, x.event) },
            { label: "Events", cell: (x) => fmt.int(x.total), num: true },
            {
              label: "Top properties",
              cell: (x) => x.top_props.map((p) => `${p.key}=${p.value} (${fmt.int(p.count)})`).join(", ") || "–",
            },
            {
              label: "App versions",
              cell: (x) =>
                h(
                  "span",
                  { class: "chips" },
                  ...x.versions
                    .slice(0, 5)
                    .map((v) => swatch(versionColor(v.version), `${fmt.value(v.version)} ${fmt.int(v.count)}`)),
                ),
            },
          ]),
        ),
      ];
    },
    { onUnauthorized },
  );
}
