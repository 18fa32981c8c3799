import type { FrontendStats } from "../../schema/wire/stats";
import { ApiError, download, getJson } from "./api";
import { lineChart } from "./charts";
import { card, fmt, h, kpi, table, utcToday } from "./dom";
import { describeError, panel } from "./panel";
import { previousPeriod, qs, unfilteredNote } from "./overview";
import { describeFilters, isFiltered, queryString, type Query } from "./state";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * What a failed export means and what to do. The 413 names the count and the cap: rows for pings
 * (D1 pages), archive objects for events (R2 calls); the fix scales the range down by their ratio.
 */
export function exportError(err: unknown, q: Query): string {
  if (err instanceof ApiError && err.status === 413) {
    const days = Math.round((Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000) + 1;
    const found = /^(\d+) (rows|archive objects)/.exec(err.message);
    const cap = /at most (\d+)/.exec(err.message)?.[1];
    const fit = found && cap ? Math.max(1, Math.floor((days * Number(cap)) / Number(found[1]))) : null;
    const what = found?.[2] ?? "rows";
    return `Too many ${what} for one export${found && cap ? ` (${fmt.int(Number(found[1]))} in ${days} days; at most ${fmt.int(Number(cap))})` : ""}. Narrow the range${fit ? ` to about ${fit} days` : ""} and export in parts.`;
  }
  return `The export failed: ${describeError(err)}`;
}

/**
 * The filter line of the frontend and custom-events views: which filter applies, and what it means
 * for an event (the API's breakdown slices): nothing when unfiltered.
 */
export function eventFilterStatus(q: Query): HTMLElement[] {
  if (!isFiltered(q)) return [];
  return [
    h("p", { class: "filtered", role: "status" }, `Filtered: ${describeFilters(q)}`),
    h(
      "p",
      { class: "muted small" },
      "An event counts by its own app version and licence type (sent by the snippet) and by the country of the installation it comes from (unknown without an instance reference).",
    ),
  ];
}

/** Pageviews, visitors and sessions, pages, time on page; CSV exports of the range. */
export function frontendView(q: Query, onUnauthorized: () => void): HTMLElement {
  const status = h("p", { class: "error", role: "alert" });
  const exportButton = (kind: "pings" | "events") => {
    const b = h("button", { type: "button" }, `Export ${kind}.csv`);
    b.addEventListener("click", () => {
      status.textContent = "";
      b.disabled = true;
      download(`/v1/admin/export/${kind}.csv?${queryString(q, false)}`, `${kind}-${q.from}-${q.to}.csv`)
        .catch((err: unknown) => {
          status.textContent = exportError(err, q);
        })
        .finally(() => (b.disabled = false));
    });
    return b;
  };
  return h(
    "div",
    {},
    panel(
      "Frontend",
      async () => {
        const [f, prev] = await Promise.all([
          getJson<FrontendStats>(`/v1/admin/stats/frontend?${qs(q)}`),
          getJson<FrontendStats>(`/v1/admin/stats/frontend?${qs(previousPeriod(q))}`),
        ]);
        return [
          ...eventFilterStatus(q),
          unfilteredNote(f, q, "pageviews, visitors and sessions"),
          h(
            "div",
            { class: "kpis" },
            kpi("pageviews", sum(f.pageviews), sum(prev.pageviews)),
            kpi("visitors (summed per day)", sum(f.visitors), sum(prev.visitors)),
            kpi("sessions", sum(f.sessions), sum(prev.sessions)),
            kpi("median time on page", fmt.secs(f.median_seconds)),
          ),
          h(
            "div",
            { class: "grid" },
            lineChart(
              "Pageviews, visitors and sessions per day",
              f.days,
              [
                { label: "pageviews", values: f.pageviews },
                { label: "visitors", values: f.visitors },
                { label: "sessions", values: f.sessions },
              ],
              { unit: "per day", today: utcToday() },
            ),
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
        ];
      },
      { onUnauthorized },
    ),
    card(
      "Raw data",
      h(
        "p",
        {},
        "The range as CSV: pings from D1 (kept for RETENTION_DAYS), events from the R2 archive (every event kept). ",
      ),
      exportButton("pings"),
      " ",
      exportButton("events"),
      status,
    ),
  );
}
