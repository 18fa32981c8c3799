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
  cell: (row: R) => Node | string;
  num?: boolean;
}

/** An accessible table; an empty list renders a muted line instead. */
export function table<R>(caption: string, rows: R[], cols: Column<R>[]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, `${caption}: nothing in this range.`);
  const head = h("tr", {}, ...cols.map((c) => h("th", { scope: "col", class: c.num ? "num" : "" }, c.label)));
  const body = rows.map((r) => h("tr", {}, ...cols.map((c) => h("td", { class: c.num ? "num" : "" }, c.cell(r)))));
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "data" },
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
