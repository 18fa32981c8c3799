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
function sliceWhere<
  P extends typeof rollupFrontend | typeof rollupPages,
  S extends typeof rollupFrontendSlices | typeof rollupPagesSlices,
>(plain: P, sliced: S, s: Slice, f: CubeFilter | undefined): { table: P | S; where: SQL } {
  if (f === undefined) {
    return { table: plain, where: and(eq(plain.product, s.product), between(plain.day, s.from, s.to))! };
  }
  const x = sliceOf(f);
  return {
    table: sliced,
    where: and(
      eq(sliced.product, s.product),
      eq(sliced.pinned, x.pinned),
      eq(sliced.appVersion, x.appVersion),
      eq(sliced.licenseType, x.licenseType),
      eq(sliced.country, x.country),
      between(sliced.day, s.from, s.to),
    )!,
  };
}

const frontendWhere = (s: Slice, f: CubeFilter | undefined) => sliceWhere(rollupFrontend, rollupFrontendSlices, s, f);
const pagesWhere = (s: Slice, f: CubeFilter | undefined) => sliceWhere(rollupPages, rollupPagesSlices, s, f);

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
