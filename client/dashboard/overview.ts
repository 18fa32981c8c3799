import type {
  ActiveStats,
  DistributionStats,
  ExceptionStats,
  FactStats,
  PlatformStats,
  Share,
  VersionStats,
} from "../../schema/wire/stats";
import { getJson } from "./api";
import { lineChart, versionColor } from "./charts";
import { card, fmt, h, kpi, shareBar, swatch, table, utcToday } from "./dom";
import { panel } from "./panel";

export interface Query {
  product: string;
  from: string;
  to: string;
}
export const qs = (q: Query) => `product=${encodeURIComponent(q.product)}&from=${q.from}&to=${q.to}`;
const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];
const DAY = 86_400_000;
const shift = (d: string, days: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The same number of days just before the range: what headline deltas compare with. */
export function previousPeriod(q: Query): Query {
  const n = Math.round((Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / DAY) + 1;
  return { product: q.product, from: shift(q.from, -n), to: shift(q.from, -1) };
}

/** Index of the last complete day of `days` (today is still filling): the one headlines quote. */
export function lastFullDay(days: string[]): number {
  const i = days.length - 1;
  return days[i] === utcToday() && i > 0 ? i - 1 : i;
}

const instDaysNote =
  "Installation-days: an installation seen on 3 days of the range counts 3 times, so long-lived installations weigh more.";

function shareTable(caption: string, rows: Share[]): HTMLElement {
  return table(caption, rows.slice(0, 12), [
    { label: "Value", cell: (r) => fmt.value(r.value) },
    { label: "Inst.-days", title: instDaysNote, cell: (r) => fmt.int(r.installation_days), num: true },
    { label: "Share", cell: (r) => shareBar(r.share) },
  ]);
}

/** One chart per fact key (first 6 keys): installations per value over the range, top 8 values. */
function factCharts(facts: FactStats): HTMLElement[] {
  const keys = [...new Set(facts.facts.map((f) => f.key))].slice(0, 6);
  return keys.map((key) => {
    const values = facts.facts
      .filter((f) => f.key === key)
      .sort((a, b) => (last(b.installations) ?? 0) - (last(a.installations) ?? 0))
      .slice(0, 8);
    return lineChart(
      `Fact ${key}: installations per value`,
      facts.days,
      values.map((f) => ({ label: f.value, values: f.installations })),
      { unit: "installations", today: utcToday() },
    );
  });
}

/** The version series of the adoption chart: the top versions, then "other" (never dropped). */
export function versionLines(v: VersionStats) {
  const lines = v.top.map((x) => ({
    label: fmt.value(x.version),
    values: x.installations,
    color: versionColor(x.version),
  }));
  if (v.other_versions > 0) {
    lines.push({ label: `other (${v.other_versions} versions)`, values: v.other, color: versionColor("other") });
  }
  return lines;
}

/** Release markers: the latest release, on the day it was set (the releases table keeps the latest only). */
async function releaseMarkers(product: string): Promise<Array<{ day: string; label: string }>> {
  const { items } = await getJson<{ items: Array<{ product: string; version: string; updated_at: string }> }>(
    "/v1/admin/releases",
  );
  return items
    .filter((r) => r.product === product)
    .map((r) => ({ day: r.updated_at.slice(0, 10), label: `release ${r.version}` }));
}

/** Adoption, activity, distributions, platform, facts and exceptions: each panel loads (and fails) on its own. */
export function overview(q: Query, onUnauthorized: () => void): HTMLElement {
  const today = utcToday();
  const active = getJson<ActiveStats>(`/v1/admin/stats/active?${qs(q)}`);
  const versions = getJson<VersionStats>(`/v1/admin/stats/versions?${qs(q)}`);
  // Every panel awaits its own promises; a rejection nobody awaited yet must not surface as unhandled.
  for (const p of [active, versions]) p.catch(() => undefined);
  const o = { onUnauthorized };

  const headline = panel(
    "Headline figures",
    async () => {
      const [a, v, prev] = await Promise.all([
        active,
        versions,
        getJson<ActiveStats>(`/v1/admin/stats/active?${qs(previousPeriod(q))}`),
      ]);
      const i = lastFullDay(a.days);
      const partial = a.days[a.days.length - 1] === today;
      const share = v.share_latest[lastFullDay(v.days)] ?? null;
      return [
        h(
          "div",
          { class: "kpis" },
          kpi(`active on ${a.days[i]}`, a.active1[i] ?? 0, prev.active1[i] ?? null),
          kpi("active in 7 days", a.active7[i] ?? 0, prev.active7[i] ?? null),
          kpi("active in 30 days", a.active30[i] ?? 0, prev.active30[i] ?? null),
          kpi(`on latest release ${v.latest ?? "(none set)"}`, fmt.pct(share)),
          partial && kpi("active today so far", last(a.active1) ?? 0, undefined, "today is not over yet"),
        ),
      ];
    },
    o,
  );

  const activity = panel(
    "Active installations",
    async () => {
      const a = await active;
      return [
        lineChart(
          "Active installations",
          a.days,
          [
            { label: "that day", values: a.active1 },
            { label: "in 7 days", values: a.active7 },
            { label: "in 30 days", values: a.active30 },
          ],
          { unit: "installations", today },
        ),
      ];
    },
    o,
  );

  const adoption = panel(
    "Versions",
    async () => {
      const [v, markers] = await Promise.all([versions, releaseMarkers(q.product)]);
      return [
        lineChart("Version adoption (share of installations each day)", v.days, versionLines(v), {
          unit: "share of installations",
          stacked100: true,
          markers,
          today,
          wide: true,
        }),
        lineChart(
          `Share on the latest release (${v.latest ?? "none set"})`,
          v.days,
          [{ label: `on ${v.latest ?? "latest"}`, values: v.share_latest, color: versionColor(v.latest ?? "") }],
          { unit: "share of installations", percent: true, markers, today },
        ),
        card(
          "Upgrade lag",
          h(
            "p",
            { class: "muted" },
            "Days from a version's first day in the range until 50 % / 80 % of the installations active that day ran it or a newer one.",
          ),
          table("upgrade lag per version", v.upgrade_lag, [
            { label: "Version", cell: (r) => swatch(versionColor(r.version), r.version) },
            { label: "First seen", cell: (r) => r.first_seen },
            { label: "To 50 %", cell: (r) => (r.days_to_50 === null ? "not yet" : `${r.days_to_50} d`), num: true },
            { label: "To 80 %", cell: (r) => (r.days_to_80 === null ? "not yet" : `${r.days_to_80} d`), num: true },
          ]),
        ),
      ];
    },
    { ...o, grid: true },
  );

  const distribution = panel(
    "Distribution",
    async () => {
      const dist = await getJson<DistributionStats>(`/v1/admin/stats/distributions?${qs(q)}`);
      return [
        card("OS", shareTable("OS type / arch", dist.os)),
        card("Licence type", shareTable("Licence type", dist.license)),
        card("Country", shareTable("Country", dist.country)),
        ...Object.entries(dist.runtime).map(([k, rows]) => card(`Runtime: ${k}`, shareTable(k, rows))),
      ];
    },
    { ...o, grid: true },
  );

  const platformPanel = panel(
    "Platform",
    async () => {
      const platform = await getJson<PlatformStats>(`/v1/admin/stats/platform?${qs(q)}`);
      const i = lastFullDay(platform.days);
      return [
        card(
          `Platform counts on ${platform.days[i] ?? q.to}`,
          table("platform.counts", platform.counts, [
            { label: "Key", cell: (c) => c.key },
            {
              label: "Reporting",
              title: "installations that reported this count that day",
              cell: (c) => fmt.int(c.reporting[i] ?? 0),
              num: true,
            },
            { label: "Sum", cell: (c) => fmt.num(c.reporting[i] ? (c.sum[i] ?? null) : null), num: true },
            { label: "Median", cell: (c) => fmt.num(c.median[i] ?? null), num: true },
            { label: "p90", cell: (c) => fmt.num(c.p90[i] ?? null), num: true },
          ]),
        ),
        card(
          "Config flags (share on)",
          table("platform.config flags", platform.flags, [
            { label: "Flag", cell: (f) => f.key },
            { label: "Inst.-days", title: instDaysNote, cell: (f) => fmt.int(f.reporting), num: true },
            { label: "On", cell: (f) => shareBar(f.share) },
          ]),
        ),
        platform.counts.length > 0 &&
          lineChart(
            "Platform counts: median per installation",
            platform.days,
            // Every key is drawn (the chart names each in its legend): no silent top-N cut here.
            platform.counts.map((c) => ({ label: c.key, values: c.median })),
            { unit: "median count", today },
          ),
      ];
    },
    { ...o, grid: true },
  );

  const factsPanel = panel(
    "Feature facts",
    async () => {
      const facts = await getJson<FactStats>(`/v1/admin/stats/facts?${qs(q)}`);
      const i = lastFullDay(facts.days);
      return [
        ...factCharts(facts),
        card(
          `Feature facts (installations on ${facts.days[i] ?? q.to})`,
          table("facts", facts.facts, [
            { label: "Key", cell: (f) => f.key },
            { label: "Value", cell: (f) => f.value },
            { label: "Installations", cell: (f) => fmt.int(f.installations[i] ?? 0), num: true },
          ]),
        ),
      ];
    },
    { ...o, grid: true },
  );

  const exceptionsPanel = panel(
    "Exceptions",
    async () => {
      const exceptions = await getJson<ExceptionStats>(`/v1/admin/stats/exceptions?${qs(q)}`);
      return [
        card(
          "Exceptions",
          table("exception groups", exceptions.groups, [
            {
              label: "Type",
              cell: (g) =>
                h(
                  "span",
                  {},
                  h("a", { href: `#/exception/${encodeURIComponent(g.fingerprint)}` }, h("b", {}, g.type)),
                  h("br"),
                  h("span", { class: "muted" }, g.message ?? ""),
                ),
            },
            { label: "Reports", cell: (g) => fmt.int(g.occurrences), num: true },
            { label: "Inst.-days", title: instDaysNote, cell: (g) => fmt.int(g.installation_days), num: true },
            { label: "Versions", cell: (g) => g.versions.map(fmt.value).join(", ") },
            {
              label: "First / last seen",
              cell: (g) =>
                `${(g.first_seen ?? "–").slice(0, 16).replace("T", " ")} / ${(g.last_seen ?? "–").slice(0, 16).replace("T", " ")}`,
            },
          ]),
        ),
      ];
    },
    o,
  );

  return h(
    "div",
    {},
    headline,
    activity,
    h("h2", {}, "Versions"),
    adoption,
    h("h2", {}, "Distribution"),
    h("p", { class: "muted" }, instDaysNote),
    distribution,
    h("h2", {}, "Platform"),
    platformPanel,
    h("h2", {}, "Feature facts"),
    factsPanel,
    exceptionsPanel,
  );
}
