import type { ExceptionStats, FactStats, FrontendStats } from "../../../schema";
import type { Db } from "../../store/db";
import { dimRows, exceptionGroups, type Slice } from "../../store/stats";
import { frontendRows, pageDurations, pageTotals } from "../../store/statsFrontend";
import { compareVersionsDesc, groupBy, histogramMedian, isoTime, mergeHistograms, perDay } from "./steps";

type Range = Slice & { days: string[] };
const head = (s: Range) => ({ product: s.product, from: s.from, to: s.to, days: s.days });

/** Installations per fact key and value per day. */
export async function factStats(db: Db, s: Range): Promise<FactStats> {
  const rows = await dimRows(db, s, "fact");
  const facts = [...groupBy(rows, (r) => JSON.stringify([r.key, r.value]))]
    .map(([, list]) => ({ key: list[0]!.key, value: list[0]!.value, installations: perDay(s.days, list, (r) => r.installations, 0) }))
    .sort((a, b) => a.key.localeCompare(b.key) || a.value.localeCompare(b.value));
  return { ...head(s), facts };
}

export async function exceptionStats(db: Db, s: Range): Promise<ExceptionStats> {
  const groups = await exceptionGroups(db, s);
  return {
    ...head(s),
    groups: groups.map((g) => ({
      fingerprint: g.fingerprint,
      type: g.seen.type,
      message: g.seen.message,
      occurrences: g.occurrences,
      installation_days: g.installationDays,
      versions: g.versions.sort(compareVersionsDesc),
      first_seen: isoTime(g.seen.first),
      last_seen: isoTime(g.seen.last),
    })),
  };
}

/** Pageviews/sessions per day, top pages with median time on page, entry and exit pages. */
export async function frontendStats(db: Db, s: Range): Promise<FrontendStats> {
  const [days, pages] = await Promise.all([frontendRows(db, s), pageTotals(db, s)]);
  const histograms = groupBy(await pageDurations(db, s, pages.top.map((p) => p.path)), (r) => r.path);
  return {
    ...head(s),
    pageviews: perDay(s.days, days, (r) => r.pageviews, 0),
    sessions: perDay(s.days, days, (r) => r.sessions, 0),
    visitors: perDay(s.days, days, (r) => r.visitors, 0),
    median_seconds: histogramMedian(mergeHistograms(days.map((r) => r.durations))),
    top_pages: pages.top.map((p) => ({
      ...p,
      median_seconds: histogramMedian(mergeHistograms((histograms.get(p.path) ?? []).map((r) => r.durations))),
    })),
    entry_pages: pages.entries.map((p) => ({ path: p.path, entries: p.entries })),
    exit_pages: pages.exits.map((p) => ({ path: p.path, exits: p.exits })),
  };
}
