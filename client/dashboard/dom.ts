/** Tiny DOM helpers: every text goes through textContent (never innerHTML). */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function card(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export const fmt = {
  int: (n: number): string => n.toLocaleString("en-US"),
  pct: (x: number | null): string => (x === null ? "–" : `${(x * 100).toFixed(1)} %`),
  num: (x: number | null): string =>
    x === null ? "–" : Number.isInteger(x) ? x.toLocaleString("en-US") : x.toFixed(1),
  secs: (x: number | null): string =>
    x === null ? "–" : x >= 60 ? `${Math.floor(x / 60)} min ${Math.round(x % 60)} s` : `${x} s`,
  value: (v: string): string => (v === "" ? "(unknown)" : v),
};

export interface Column<R> {
  label: string;
  /** Explains the column (a tooltip on its header, marked with ⓘ). */
  title?: string;
  cell: (row: R) => Node | string;
  num?: boolean;
}

/** An accessible table; an empty list renders a muted line instead. */
export function table<R>(caption: string, rows: R[], cols: Column<R>[]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, `${caption}: nothing in this range.`);
  const head = h(
    "tr",
    {},
    ...cols.map((c) =>
      h(
        "th",
        { scope: "col", class: c.num ? "num" : "", ...(c.title ? { title: c.title } : {}) },
        c.label,
        c.title ? h("span", { class: "info", "aria-label": c.title }, "i") : null,
      ),
    ),
  );
  // data-label: at phone widths, tables of 4+ columns reflow into one block per row (dashboard.css).
  const body = rows.map((r) =>
    h("tr", {}, ...cols.map((c) => h("td", { class: c.num ? "num" : "", "data-label": c.label }, c.cell(r)))),
  );
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: cols.length >= 4 ? "data reflow" : "data" },
      h("caption", { class: "muted" }, caption),
      h("thead", {}, head),
      h("tbody", {}, ...body),
    ),
  );
}

/** A horizontal share bar with its percentage as text. */
export function shareBar(share: number): HTMLElement {
  const bar = h("div", { class: "bar", role: "presentation" });
  bar.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return h("div", {}, fmt.pct(share), bar);
}

/** Today (UTC), the day the rollups are still filling. */
export const utcToday = (): string => new Date().toISOString().slice(0, 10);

/** A headline figure, optionally with its change against the previous period (arrow and percent). */
export function kpi(label: string, value: number | string, previous?: number | null, note?: string): HTMLElement {
  const shown = typeof value === "number" ? fmt.int(value) : value;
  let delta: HTMLElement | null = null;
  if (typeof value === "number" && previous !== undefined && previous !== null) {
    const change = previous === 0 ? null : (value - previous) / previous;
    // The arrow is drawn in CSS (.delta::before): ▲/▼ are missing from some system fonts.
    const cls = value > previous ? "up" : value < previous ? "down" : "flat";
    const sign = value > previous ? "+" : value < previous ? "−" : "±";
    delta = h(
      "small",
      { class: `delta ${cls}`, title: `previous period: ${fmt.int(previous)}` },
      `${change === null ? "new" : `${sign}${Math.abs(change * 100).toFixed(0)} %`} vs previous period`,
    );
  }
  return h(
    "div",
    { class: "kpi" },
    h("b", {}, shown),
    h("span", {}, label),
    delta,
    note ? h("small", { class: "muted" }, note) : null,
  );
}

/** A label with a colour square (the series colour of a chart); set through CSSOM (the CSP forbids style attributes). */
export function swatch(color: string, label: string): HTMLElement {
  const dot = h("i", { class: "dot", "aria-hidden": "true" });
  dot.style.background = color;
  return h("span", { class: "swatch" }, dot, label);
}
