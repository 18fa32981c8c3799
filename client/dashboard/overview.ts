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
import { lineChart } from "./charts";
import { card, fmt, h, shareBar, table } from "./dom";

export interface Query {
  product: string;
  from: string;
  to: string;
}
const qs = (q: Query) => `product=${encodeURIComponent(q.product)}&from=${q.from}&to=${q.to}`;
const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];

function shareTable(caption: string, rows: Share[]): HTMLElement {
  return table(caption, rows.slice(0, 12), [
    { label: "Value", cell: (r) => fmt.value(r.value) },
    { label: "Inst.-days", cell: (r) => fmt.int(r.installation_days), num: true },
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
    );
  });
}

function kpi(label: string, value: string): HTMLElement {
  return h("div", { class: "kpi" }, h("b", {}, value), h("span", {}, label));
}

/** Adoption, activity, distributions, platform, facts and exceptions for one product and range. */
export async function overview(q: Query): Promise<HTMLElement> {
  const [active, versions, dist, platform, facts, exceptions] = await Promise.all([
    getJson<ActiveStats>(`/v1/admin/stats/active?${qs(q)}`),
    getJson<VersionStats>(`/v1/admin/stats/versions?${qs(q)}`),
    getJson<DistributionStats>(`/v1/admin/stats/distributions?${qs(q)}`),
    getJson<PlatformStats>(`/v1/admin/stats/platform?${qs(q)}`),
    getJson<FactStats>(`/v1/admin/stats/facts?${qs(q)}`),
    getJson<ExceptionStats>(`/v1/admin/stats/exceptions?${qs(q)}`),
  ]);
  const topVersions = versions.versions.slice(0, 8);
  const lastShare = last(versions.share_latest.filter((x): x is number => x !== null)) ?? null;
  const root = h("div", {});
  root.append(
    h(
      "div",
      { class: "kpis" },
      kpi(`active on ${active.to}`, fmt.int(last(active.active1) ?? 0)),
      kpi("active in 7 days", fmt.int(last(active.active7) ?? 0)),
      kpi("active in 30 days", fmt.int(last(active.active30) ?? 0)),
      kpi(`on latest release ${versions.latest ?? "(none set)"}`, fmt.pct(lastShare)),
    ),
    h(
      "div",
      { class: "grid" },
      lineChart("Active installations", active.days, [
        { label: "that day", values: active.active1 },
        { label: "7 days", values: active.active7 },
        { label: "30 days", values: active.active30 },
      ]),
      lineChart(
        "Installations per version",
        versions.days,
        topVersions.map((v) => ({ label: fmt.value(v.version), values: v.installations })),
      ),
      lineChart(
        `Share on the latest release (${versions.latest ?? "none set"})`,
        versions.days,
        [{ label: "share", values: versions.share_latest }],
        { percent: true },
      ),
    ),
    h("h2", {}, "Distribution"),
    h(
      "p",
      { class: "muted" },
      "Shares of installation-days in the range: an installation seen on 3 days counts 3 times.",
    ),
    h(
      "div",
      { class: "grid" },
      card("OS", shareTable("OS type / arch", dist.os)),
      card("Licence", shareTable("Licence type", dist.license)),
      card("Country", shareTable("Country", dist.country)),
      ...Object.entries(dist.runtime).map(([k, rows]) => card(`Runtime: ${k}`, shareTable(k, rows))),
    ),
    card(
      "Platform counts (last day with data)",
      table("platform.counts", platform.counts, [
        { label: "Key", cell: (c) => c.key },
        { label: "Reporting", cell: (c) => fmt.int(last(c.reporting.filter((n) => n > 0)) ?? 0), num: true },
        { label: "Sum", cell: (c) => fmt.num(last(c.sum.filter((_, i) => c.reporting[i]! > 0)) ?? null), num: true },
        { label: "Median", cell: (c) => fmt.num(last(c.median.filter((x) => x !== null)) ?? null), num: true },
        { label: "p90", cell: (c) => fmt.num(last(c.p90.filter((x) => x !== null)) ?? null), num: true },
      ]),
    ),
    card(
      "Config flags (share on)",
      table("platform.config flags", platform.flags, [
        { label: "Flag", cell: (f) => f.key },
        { label: "Reporting (inst.-days)", cell: (f) => fmt.int(f.reporting), num: true },
        { label: "On", cell: (f) => shareBar(f.share) },
      ]),
    ),
    h("h2", {}, "Platform counts and feature facts over time"),
    h(
      "div",
      { class: "grid" },
      platform.counts.length > 0 &&
        lineChart(
          "platform.counts: median per installation",
          platform.days,
          platform.counts.slice(0, 8).map((c) => ({ label: c.key, values: c.median })),
        ),
      ...factCharts(facts),
    ),
    card(
      "Feature facts (installations, last day)",
      table("facts", facts.facts, [
        { label: "Key", cell: (f) => f.key },
        { label: "Value", cell: (f) => f.value },
        { label: "Installations", cell: (f) => fmt.int(last(f.installations) ?? 0), num: true },
      ]),
    ),
    card(
      "Exceptions",
      table("exception groups", exceptions.groups, [
        {
          label: "Type",
          cell: (g) => h("span", {}, h("b", {}, g.type), h("br"), h("span", { class: "muted" }, g.message ?? "")),
        },
        { label: "Count", cell: (g) => fmt.int(g.occurrences), num: true },
        { label: "Versions", cell: (g) => g.versions.map(fmt.value).join(", ") },
        {
          label: "First / last seen",
          cell: (g) => `${(g.first_seen ?? "–").slice(0, 16)} / ${(g.last_seen ?? "–").slice(0, 16)}`,
        },
      ]),
    ),
  );
  return root;
}
