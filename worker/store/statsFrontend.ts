import { and, between, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { rollupFrontend, rollupFrontendSlices, rollupPages, rollupPagesSlices } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { sliceOf } from "./eventSlices";
import type { CubeFilter, Slice } from "./stats";

const TOP = 20;

/**
 * The frontend answer's rows: from rollup_frontend / rollup_pages, or, under a filter (`f` given),
 * from the ONE breakdown slice the filter names (store/eventSlices.ts) in rollup_frontend_slices /
 * rollup_pages_slices: (product, pinned, slice) then the day range, one range of their key.
 */
type Pages = typeof rollupPages | typeof rollupPagesSlices;

function frontendWhere(
  s: Slice,
  f: CubeFilter | undefined,
): { table: typeof rollupFrontend | typeof rollupFrontendSlices; where: SQL } {
  if (f === undefined) {
    return {
      table: rollupFrontend,
      where: and(eq(rollupFrontend.product, s.product), between(rollupFrontend.day, s.from, s.to))!,
    };
  }
  const t = rollupFrontendSlices;
  const x = sliceOf(f);
  return {
    table: t,
    where: and(
      eq(t.product, s.product),
      eq(t.pinned, x.pinned),
      eq(t.appVersion, x.appVersion),
      eq(t.licenseType, x.licenseType),
      eq(t.country, x.country),
      between(t.day, s.from, s.to),
    )!,
  };
}

function pagesWhere(s: Slice, f: CubeFilter | undefined): { table: Pages; where: SQL } {
  if (f === undefined) {
    return {
      table: rollupPages,
      where: and(eq(rollupPages.product, s.product), between(rollupPages.day, s.from, s.to))!,
    };
  }
  const t = rollupPagesSlices;
  const x = sliceOf(f);
  return {
    table: t,
    where: and(
      eq(t.product, s.product),
      eq(t.pinned, x.pinned),
      eq(t.appVersion, x.appVersion),
      eq(t.licenseType, x.licenseType),
      eq(t.country, x.country),
      between(t.day, s.from, s.to),
    )!,
  };
}

export async function frontendRows(db: Db, s: Slice, f?: CubeFilter) {
  const { table, where } = frontendWhere(s, f);
  return guard("statsFrontend", () =>
    db
      .select({
        day: table.day,
        pageviews: table.pageviews,
        sessions: table.sessions,
        visitors: table.visitors,
        durations: table.durations,
      })
      .from(table)
      .where(where),
  );
}

/** Page totals over the range, top 20 by pageviews, by entries and by exits (summed in D1). */
export async function pageTotals(db: Db, s: Slice, f?: CubeFilter) {
  const { table, where } = pagesWhere(s, f);
  const totals = {
    path: table.path,
    pageviews: sql<number>`sum(${table.pageviews})`,
    entries: sql<number>`sum(${table.entries})`,
    exits: sql<number>`sum(${table.exits})`,
    leaves: sql<number>`sum(${table.leaves})`,
  };
  const page = (order: SQL) =>
    db.select(totals).from(table).where(where).groupBy(table.path).orderBy(desc(order), table.path).limit(TOP);
  const [top, entries, exits] = await guard("statsPages", () =>
    db.batch([page(totals.pageviews), page(totals.entries), page(totals.exits)]),
  );
  return { top, entries: entries.filter((r) => r.entries > 0), exits: exits.filter((r) => r.exits > 0) };
}

/** The per-day duration histograms of the given pages (to merge into medians). */
export async function pageDurations(db: Db, s: Slice, paths: string[], f?: CubeFilter) {
  if (paths.length === 0) return [];
  const { table, where } = pagesWhere(s, f);
  return guard("statsPageDurations", () =>
    db
      .select({ path: table.path, durations: table.durations })
      .from(table)
      .where(and(where, inArray(table.path, paths))),
  );
}
