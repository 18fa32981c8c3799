import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom";

const palette = ["#2458d6", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#e67700", "#5c940d", "#495057"];
const charts = new Set<uPlot>();

export interface Line {
  label: string;
  values: Array<number | null>;
}

/** Days (YYYY-MM-DD) -> uPlot x values (unix seconds, UTC midnight). */
function xs(days: string[]): number[] {
  return days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
}

/** X tick labels (MM-DD, UTC); the tick times are kept on the chart box (data-xticks) for tests and tools. */
function xLabels(box: HTMLElement, splits: number[]): string[] {
  box.dataset.xticks = splits.join(",");
  return splits.map((s) => new Date(s * 1000).toISOString().slice(5, 10));
}

/**
 * A line chart (uPlot, canvas) in a <figure> with a text caption; resized with the window.
 * `percent` formats the y axis as shares.
 */
export function lineChart(title: string, days: string[], lines: Line[], opts: { percent?: boolean } = {}): HTMLElement {
  const box = h("div", {
    class: "chart",
    role: "img",
    "aria-label": `${title}: ${lines.map((l) => l.label).join(", ")}`,
  });
  const figure = h("figure", { class: "card" }, h("h3", {}, title), box);
  const yFmt = (v: number) => (opts.percent ? `${Math.round(v * 100)} %` : v.toLocaleString("en-US"));
  const options: uPlot.Options = {
    width: 600,
    height: 220,
    // Days are UTC: ticks and labels in UTC whatever the browser's zone (west of UTC: no day off).
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: {
      x: { time: true },
      y: opts.percent ? { range: [0, 1] } : { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    series: [
      { value: (_u, v) => (v === null ? "" : new Date(v * 1000).toISOString().slice(0, 10)) },
      ...lines.map((l, i) => ({
        label: l.label,
        stroke: palette[i % palette.length]!,
        width: 2,
        points: { show: days.length <= 31 },
        value: (_u: uPlot, v: number | null) => (v === null ? "–" : yFmt(v)),
      })),
    ],
    axes: [{ values: (_u, splits) => xLabels(box, splits) }, { values: (_u, ticks) => ticks.map(yFmt), size: 60 }],
    legend: { live: true },
  };
  const data: uPlot.AlignedData = [xs(days), ...lines.map((l) => l.values)];
  // Size to the container once it is in the document (a view replaced meanwhile never draws).
  requestAnimationFrame(() => {
    if (!box.isConnected) return;
    const chart = new uPlot({ ...options, width: Math.max(260, box.clientWidth) }, data, box);
    charts.add(chart);
  });
  return figure;
}

/** Destroys the charts of the previous view. */
export function resetCharts(): void {
  for (const c of charts) c.destroy();
  charts.clear();
}

addEventListener("resize", () => {
  for (const c of charts) {
    const parent = c.root.parentElement;
    if (parent) c.setSize({ width: Math.max(260, parent.clientWidth), height: 220 });
  }
});
