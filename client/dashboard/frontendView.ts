import type { FrontendStats } from "../../schema/wire/stats";
import { download, getJson } from "./api";
import { lineChart } from "./charts";
import { card, fmt, h, table } from "./dom";
import type { Query } from "./overview";

/** Pageviews and sessions, pages, time on page; CSV exports of the range. */
export async function frontendView(q: Query): Promise<HTMLElement> {
  const qs = `product=${encodeURIComponent(q.product)}&from=${q.from}&to=${q.to}`;
  const f = await getJson<FrontendStats>(`/v1/admin/stats/frontend?${qs}`);
  const exportButton = (kind: "pings" | "events") => {
    const b = h("button", { type: "button" }, `Export ${kind}.csv`);
    b.addEventListener(
      "click",
      () => void download(`/v1/admin/export/${kind}.csv?${qs}`, `${kind}-${q.from}-${q.to}.csv`),
    );
    return b;
  };
  return h(
    "div",
    {},
    h(
      "div",
      { class: "kpis" },
      h(
        "div",
        { class: "kpi" },
        h("b", {}, fmt.int(f.pageviews.reduce((a, b) => a + b, 0))),
        h("span", {}, "pageviews"),
      ),
      h(
        "div",
        { class: "kpi" },
        h("b", {}, fmt.int(f.sessions.reduce((a, b) => a + b, 0))),
        h("span", {}, "sessions (summed per day)"),
      ),
      h("div", { class: "kpi" }, h("b", {}, fmt.secs(f.median_seconds)), h("span", {}, "median time on page")),
    ),
    h(
      "div",
      { class: "grid" },
      lineChart("Pageviews and sessions per day", f.days, [
        { label: "pageviews", values: f.pageviews },
        { label: "sessions", values: f.sessions },
      ]),
    ),
    card(
      "Top pages",
      table("Top pages by pageviews", f.top_pages, [
        { label: "Page", cell: (p) => fmt.value(p.path) },
        { label: "Views", cell: (p) => fmt.int(p.pageviews), num: true },
        { label: "Median time", cell: (p) => fmt.secs(p.median_seconds), num: true },
      ]),
    ),
    h(
      "div",
      { class: "grid" },
      card(
        "Entry pages",
        table("Entry pages", f.entry_pages, [
          { label: "Page", cell: (p) => fmt.value(p.path) },
          { label: "Sessions", cell: (p) => fmt.int(p.entries), num: true },
        ]),
      ),
      card(
        "Exit pages",
        table("Exit pages", f.exit_pages, [
          { label: "Page", cell: (p) => fmt.value(p.path) },
          { label: "Sessions", cell: (p) => fmt.int(p.exits), num: true },
        ]),
      ),
    ),
    card(
      "Raw data",
      h("p", {}, "Raw rows of the range (kept for RETENTION_DAYS), as CSV: "),
      exportButton("pings"),
      " ",
      exportButton("events"),
    ),
  );
}
