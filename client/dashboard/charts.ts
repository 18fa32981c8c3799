import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom";

/** Colours for series that are not versions (activity, pageviews…), in order. */
const palette = ["#2458d6", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#e67700", "#5c940d", "#495057"];
/** Version colours: picked by a hash of the version string, so one version has one colour in every chart. */
const versionPalette = [
  "#2458d6",
  "#d9480f",
  "#2b8a3e",
  "#862e9c",
  "#0b7285",
  "#e67700",
  "#c2255c",
  "#5c940d",
  "#1864ab",
  "#a61e4d",
  "#5f3dc4",
  "#087f5b",
];
const charts = new Set<uPlot>();

/** The colour of a version (or "other" / "(unknown)") wherever it is drawn. */
export function versionColor(version: string): string {
  if (version === "other") return "#adb5bd";
  if (version === "" || version === "(unknown)") return "#868e96";
  let hash = 0;
  for (const c of version) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return versionPalette[hash % versionPalette.length]!;
}

export interface Line {
  label: string;
  values: Array<number | null>;
  /** Default: the palette colour of its position. */
  color?: string;
}

export interface ChartOptions {
  /** The y axis title, with its unit ("installations", "share of installations"). */
  unit: string;
  /** Shares (0..1) shown as percentages. */
  percent?: boolean;
  /** Percent charts: the y axis starts near the lowest value instead of 0 (small differences near 100 %, e.g. crash-free shares). */
  zoom?: boolean;
  /** The lines are counts of the same whole: drawn as a stacked 100 % area of their shares per day. */
  stacked100?: boolean;
  /** Vertical markers (e.g. releases) on these days. */
  markers?: Array<{ day: string; label: string }>;
  /** Today (UTC): when it is the last day of the chart, its segment is drawn lighter and labelled "today so far". */
  today?: string;
  /** Spans the whole row of its grid. */
  wide?: boolean;
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

/** Tick steps of count axes: whole numbers only (never "0.5 installations"). */
const countIncrs = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500]
  .flatMap((n) => [n, n * 1e3, n * 1e6])
  .sort((a, b) => a - b);

/** Per day, each line's share of the day's sum (null on a day whose sum is 0). */
function shares(lines: Line[], n: number): Array<Array<number | null>> {
  const totals = Array.from({ length: n }, (_, i) => lines.reduce((s, l) => s + (l.values[i] ?? 0), 0));
  return lines.map((l) => l.values.map((v, i) => (totals[i]! > 0 ? (v ?? 0) / totals[i]! : null)));
}

/**
 * A chart (uPlot, canvas) in a <figure> with a title, axis titles, a legend of series names and
 * a readout line that shows the hovered day's values. Resized with the window.
 */
export function lineChart(title: string, days: string[], lines: Line[], opts: ChartOptions): HTMLElement {
  const box = h("div", {
    class: "chart",
    role: "img",
    "aria-label": `${title}: ${lines.map((l) => l.label).join(", ")}`,
  });
  const readout = h("p", { class: "readout muted", "aria-hidden": "true" }, "Hover the chart for a day's values.");
  const figure = h("figure", { class: opts.wide ? "card wide" : "card" }, h("h3", {}, title), box, readout);
  const percent = opts.percent || opts.stacked100;
  const yFmt = (v: number) => (percent ? `${(v * 100).toFixed(opts.zoom ? 1 : 0)} %` : v.toLocaleString("en-US"));
  // Zoomed: from the lowest value rounded down to a whole percent (at most 0.9) up to 100 %.
  const lowest = Math.min(...lines.flatMap((l) => l.values.filter((v): v is number => v !== null)), 1);
  const yFrom = opts.zoom ? Math.min(0.9, Math.floor(lowest * 100 - 1) / 100) : 0;
  const colors = lines.map((l, i) => l.color ?? palette[i % palette.length]!);
  // Stacked 100 %: line k is drawn at the cumulative share of lines k..end and filled to 0; drawn
  // in order, each later (lower) band paints over the one before.
  const shown = opts.stacked100 ? shares(lines, days.length) : lines.map((l) => l.values);
  const drawn = opts.stacked100
    ? shown.map((_, k) =>
        days.map((_d, i) => (shown[k]![i] === null ? null : shown.slice(k).reduce((s, l) => s + (l[i] ?? 0), 0))),
      )
    : shown;
  const x = xs(days);
  const partial = opts.today !== undefined && days[days.length - 1] === opts.today && days.length > 1;
  const markers = (opts.markers ?? []).filter((m) => days.includes(m.day));
  box.dataset.markers = markers.map((m) => m.label).join(","); // the drawn markers (tests and tools)

  const options: uPlot.Options = {
    width: 600,
    height: 220,
    // Days are UTC: ticks and labels in UTC whatever the browser's zone (west of UTC: no day off).
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: {
      x: { time: true },
      y: percent ? { range: [yFrom, 1] } : { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    series: [
      { label: "Day" },
      ...lines.map((l, i) => ({
        label: l.label,
        stroke: colors[i]!,
        fill: opts.stacked100 ? colors[i]! : undefined,
        width: opts.stacked100 ? 1 : 2,
        points: { show: !opts.stacked100 && days.length <= 31 },
      })),
    ],
    axes: [
      { label: "Day (UTC)", labelSize: 20, values: (_u, splits) => xLabels(box, splits) },
      {
        label: opts.unit,
        labelSize: 20,
        size: opts.zoom ? 66 : 56,
        values: (_u, ticks) => ticks.map(yFmt),
        ...(percent ? {} : { incrs: countIncrs }),
      },
    ],
    // A static legend: series names and colours, no "Time: –" placeholders; values go to the readout.
    legend: { live: false },
    hooks: {
      setCursor: [
        (u) => {
          const i = u.cursor.idx;
          if (i === null || i === undefined) return;
          const values = lines.map((l, k) => {
            const v = shown[k]![i];
            return `${l.label} ${v === null || v === undefined ? "no data" : yFmt(v)}`;
          });
          readout.textContent = `${days[i]}${partial && i === days.length - 1 ? " (today so far)" : ""}: ${values.join(" · ")}`;
        },
      ],
      draw: [
        (u) => {
          const ctx = u.ctx;
          const top = u.bbox.top;
          const height = u.bbox.height;
          ctx.save();
          ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
          for (const m of markers) {
            const px = u.valToPos(Date.parse(`${m.day}T00:00:00Z`) / 1000, "x", true);
            ctx.strokeStyle = "#1d2330";
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(px, top);
            ctx.lineTo(px, top + height);
            ctx.stroke();
            ctx.fillStyle = "#1d2330";
            ctx.fillText(m.label, px + 4 * devicePixelRatio, top + 12 * devicePixelRatio);
          }
          if (partial) {
            // Today is not over: its segment is veiled (drawn lighter) and labelled.
            const from = u.valToPos(x[x.length - 2]!, "x", true);
            const to = u.bbox.left + u.bbox.width;
            ctx.setLineDash([]);
            ctx.fillStyle = "rgba(255,255,255,0.6)";
            ctx.fillRect(from, top, to - from, height);
            ctx.fillStyle = "#5b6476";
            ctx.textAlign = "right";
            ctx.fillText("today so far", to - 2 * devicePixelRatio, top + height - 6 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
  const data: uPlot.AlignedData = [x, ...drawn];
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

/** Destroys the charts inside `el` (a panel being redrawn). */
export function dropCharts(el: HTMLElement): void {
  for (const c of charts) {
    if (el.contains(c.root)) {
      c.destroy();
      charts.delete(c);
    }
  }
}

addEventListener("resize", () => {
  for (const c of charts) {
    const parent = c.root.parentElement;
    if (parent) c.setSize({ width: Math.max(260, parent.clientWidth), height: 220 });
  }
});
