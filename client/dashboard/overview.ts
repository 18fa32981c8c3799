import type {
  ActiveStats,
  DistributionStats,
  ExceptionStats,
  FactStats,
  PlatformStats,
  SessionStats,
  Share,
  VersionStats,
} from "../../schema/wire/stats";
import type { CommandStats } from "../../schema/wire/commandStats";
import { getJson } from "./api";
import { lineChart, versionColor } from "./charts";
import { card, fmt, h, kpi, shareBar, swatch, table, utcToday } from "./dom";
import { panel } from "./panel";
import { describeFilters, hrefFor, isFiltered, queryString, type Query } from "./state";

export type { Query } from "./state";
/** The stats routes' query: range, product and the filters (each answer says what it could not filter). */
export const qs = (q: Query) => queryString(q);
const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];
const DAY = 86_400_000;
const shift = (d: string, days: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The same number of days just before the range: what headline deltas compare with. */
export function previousPeriod(q: Query): Query {
  const n = Math.round((Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / DAY) + 1;
  return { ...q, from: shift(q.from, -n), to: shift(q.from, -1) };
}

/** Index of the last complete day of `days` (today is still filling): the one headlines quote. */
export function lastFullDay(days: string[]): number {
  const i = days.length - 1;
  return days[i] === utcToday() && i > 0 ? i - 1 : i;
}

const instDaysNote =
  "Installation-days: an installation seen on 3 days of the range counts 3 times, so long-lived installations weigh more.";

/**
 * A note under a panel whose answer could not apply the filters (the API lists those fields in
 * `not_filtered`): the figures are for every installation, and the page says so.
 */
export function unfilteredNote(answer: { not_filtered: string[] }, q: Query, what: string): HTMLElement | null {
  if (answer.not_filtered.length === 0) return null;
  return h(
    "p",
    { class: "note", role: "note" },
    `Not filtered: ${what} cover every installation of ${q.product}; the filter (${describeFilters(q)}) cannot be applied to them.`,
  );
}

/**
 * A note under a filtered panel computed from raw pings (the API's `raw_missing_days`): those
 * days' raw pings (or, for a window figure, some of its days') have expired, so they have no
 * filtered figure.
 */
export function rawMissingNote(answer: { raw_missing_days: string[] }): HTMLElement | null {
  const days = answer.raw_missing_days;
  if (days.length === 0) return null;
  return h(
    "p",
    { class: "note", role: "note" },
    `No filtered figures for ${fmt.int(days.length)} day(s) from ${days[0]}: their raw pings have expired (RETENTION_DAYS); narrow the range to recent days.`,
  );
}

/**
 * A distribution: distinct installations per value on its day, the share, and installation-days
 * over the range (tooltip). A value opens the view filtered by it when it is a filter.
 */
function shareTable(caption: string, rows: Share[], q: Query, filter?: "license_type" | "country"): HTMLElement {
  const shown = rows.filter((r) => r.installations > 0).slice(0, 12);
  const rest = rows.length - shown.length;
  return h(
    "div",
    {},
    table(caption, shown, [
      {
        label: "Value",
        cell: (r) =>
          filter && q.filters[filter] === undefined
            ? h(
                "a",
                {
                  href: hrefFor("overview", { ...q, filters: { ...q.filters, [filter]: r.value } }),
                  title: "Filter by it",
                },
                fmt.value(r.value),
              )
            : fmt.value(r.value),
      },
      {
        label: "Installations",
        title: "Distinct installations that day. Hover a number for its installation-days over the range.",
        cell: (r) =>
          h(
            "span",
            { title: `${fmt.int(r.installation_days)} installation-days over the range` },
            fmt.int(r.installations),
          ),
        num: true,
      },
      { label: "Share", cell: (r) => shareBar(r.share) },
    ]),
    rest > 0 &&
      h(
        "p",
        { class: "muted small" },
        `${rest} more value${rest > 1 ? "s" : ""} (smaller, or seen in the range but not that day).`,
      ),
  );
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

/** Release markers: every release of the product's history, on the day it was first set. */
export function releaseMarkers(v: VersionStats): Array<{ day: string; label: string }> {
  return v.releases.map((r) => ({ day: r.released_at.slice(0, 10), label: r.version }));
}

/** Adoption, activity, distributions, platform, facts, exceptions and source panels: each loads (and fails) on its own. */
export function overview(q: Query, onUnauthorized: () => void): HTMLElement {
  const today = utcToday();
  const filtered = isFiltered(q);
  const active = getJson<ActiveStats>(`/v1/admin/stats/active?${qs(q)}`);
  const versions = getJson<VersionStats>(`/v1/admin/stats/versions?${qs(q)}`);
  // Every panel awaits its own promises; a rejection nobody awaited yet must not surface as unhandled.
  for (const p of [active, versions]) p.catch(() => undefined);
  const o = { onUnauthorized };
  const windowNote = "distinct over 7 / 30 days: its raw pings have expired (RETENTION_DAYS), so no filtered figure";

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
      const windowKpi = (label: string, now: number | null | undefined, before: number | null | undefined) =>
        now === null || now === undefined ? kpi(label, "–", undefined, windowNote) : kpi(label, now, before ?? null);
      return [
        h(
          "div",
          { class: "kpis" },
          kpi(`active on ${a.days[i]}`, a.active1[i] ?? 0, prev.active1[i] ?? null),
          windowKpi("active in 7 days", a.active7[i], prev.active7[i]),
          windowKpi("active in 30 days", a.active30[i], prev.active30[i]),
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
      // Filtered: in the filter's slice on that day / on at least one day of the 7 or 30 days.
      const lines: Array<{ label: string; values: Array<number | null> }> = [
        { label: "that day", values: a.active1 },
        { label: "in 7 days", values: a.active7 },
        { label: "in 30 days", values: a.active30 },
      ];
      return [
        lineChart(filtered ? "Active installations (filtered)" : "Active installations", a.days, lines, {
          unit: "installations",
          today,
        }),
        rawMissingNote(a),
      ];
    },
    o,
  );

  const adoption = panel(
    "Versions",
    async () => {
      const v = await versions;
      const markers = releaseMarkers(v);
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
      const of = `of ${fmt.int(dist.installations)} installations on ${dist.as_of}`;
      return [
        card("OS", shareTable(`OS type / arch ${of}`, dist.os, q)),
        card("Licence type", shareTable(`Licence type ${of}`, dist.license, q, "license_type")),
        card("Country", shareTable(`Country ${of}`, dist.country, q, "country")),
        ...Object.entries(dist.runtime).map(([k, rows]) => card(`Runtime: ${k}`, shareTable(`${k} ${of}`, rows, q))),
        // Filtered runtimes come from raw pings: days whose pings expired have none.
        rawMissingNote(dist),
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
        unfilteredNote(platform, q, "platform counts and config flags"),
        // Filtered platform figures come from raw pings: days whose pings expired have none.
        rawMissingNote(platform),
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
        // Filtered facts come from raw pings (the installations in the slice in the 30 days to each
        // day); unattributed facts (not shown here) are the only part the filter cannot apply to.
        rawMissingNote(facts),
        ...factCharts(facts),
        card(
          `Feature facts (installations on ${facts.days[i] ?? q.to})`,
          table("facts", facts.facts, [
            { label: "Key", cell: (f) => f.key },
            { label: "Value", cell: (f) => f.value },
            { label: "Installations", cell: (f) => fmt.num(f.installations[i] ?? null), num: true },
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
          unfilteredNote(exceptions, q, "exception groups"),
          table("exception groups", exceptions.groups, [
            {
              label: "Type",
              cell: (g) =>
                h(
                  "span",
                  {},
                  h("a", { href: hrefFor(`exception/${encodeURIComponent(g.fingerprint)}`, q) }, h("b", {}, g.type)),
                  g.new_in && h("span", { class: "badge inline" }, `new in ${g.new_in}`),
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
    filtered && h("p", { class: "filtered", role: "status" }, `Filtered: ${describeFilters(q)}`),
    headline,
    activity,
    h("h2", {}, "Versions"),
    adoption,
    h("h2", {}, "Distribution"),
    h(
      "p",
      { class: "muted" },
      "Distinct installations on the last complete day of the range, by their last ping that day. Click a licence type or country to filter by it.",
    ),
    distribution,
    h("h2", {}, "Platform"),
    platformPanel,
    h("h2", {}, "Feature facts"),
    factsPanel,
    exceptionsPanel,
    sourcePanels(q, o),
  );
}

/**
 * The signals of products that report through other telemetry protocols, shown only when the
 * product has them: FerretDB command failures by version, Sentry release health.
 */
function sourcePanels(q: Query, o: { onUnauthorized: () => void }): HTMLElement {
  const commands = panel(
    "FerretDB commands",
    async () => {
      const c = await getJson<CommandStats>(`/v1/admin/stats/commands?${queryString(q)}`);
      if (c.rows.length === 0) return [];
      return [
        h("h2", {}, "FerretDB command failures"),
        card(
          "Failing commands by version",
          h(
            "p",
            { class: "muted" },
            "From each installation's last beacon of the day: commands that answered anything but ok.",
          ),
          unfilteredNote(c, q, "command failures"),
          rawMissingNote(c),
          table("command failures per version", c.rows.slice(0, 30), [
            { label: "Version", cell: (r) => swatch(versionColor(r.version), fmt.value(r.version)) },
            { label: "Command", cell: (r) => (r.argument ? `${r.command} ${r.argument}` : r.command) },
            { label: "Result", cell: (r) => r.result },
            { label: "Inst.-days", title: instDaysNote, cell: (r) => fmt.int(r.installation_days), num: true },
            { label: "Count", cell: (r) => fmt.int(r.count), num: true },
          ]),
        ),
      ];
    },
    o,
  );
  const sessions = panel(
    "Release health",
    async () => {
      const s = await getJson<SessionStats>(`/v1/admin/stats/sessions?${queryString(q)}`);
      const withSessions = s.releases.filter((r) => r.crash_free !== null);
      if (withSessions.length === 0) return [];
      const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      return [
        h("h2", {}, "Release health (Sentry sessions)"),
        // The version filter applies; Sentry sessions have no licence type or country.
        s.not_filtered.includes("releases") && unfilteredNote(s, q, "Sentry sessions (no licence type or country)"),
        h(
          "div",
          { class: "grid" },
          lineChart(
            "Crash-free sessions by release",
            s.days,
            withSessions
              .slice(0, 8)
              .map((r) => ({ label: r.version, values: r.crash_free_by_day, color: versionColor(r.version) })),
            { unit: "crash-free sessions", percent: true, zoom: true, today: utcToday() },
          ),
          card(
            "Crash-free sessions by release",
            table("release health per version", withSessions, [
              { label: "Release", cell: (r) => swatch(versionColor(r.version), fmt.value(r.version)) },
              { label: "Sessions", cell: (r) => fmt.int(total(r.sessions)), num: true },
              { label: "Crashed", cell: (r) => fmt.int(total(r.crashed)), num: true },
              { label: "Crash-free", cell: (r) => fmt.pct(r.crash_free), num: true },
            ]),
          ),
        ),
      ];
    },
    o,
  );
  return h("div", {}, commands, sessions);
}
