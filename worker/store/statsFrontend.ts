import { and, between, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { rollupFrontend, rollupPages } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { Slice } from "./stats";

const TOP = 20;

export async function frontendRows(db: Db, s: Slice) {
  return guard("statsFrontend", () =>
    db
      .select()
      .from(rollupFrontend)
      .where(and(eq(rollupFrontend.product, s.product), between(rollupFrontend.day, s.from, s.to))),
  );
}

function inSlice(s: Slice): SQL | undefined {
  return and(eq(rollupPages.product, s.product), between(rollupPages.day, s.from, s.to));
}

/** Page totals over the range, top 20 by pageviews, by entries and by exits (summed in D1). */
export async function pageTotals(db: Db, s: Slice) {
  const totals = {
    path: rollupPages.path,
    pageviews: sql<number>`sum(${rollupPages.pageviews})`,
    entries: sql<number>`sum(${rollupPages.entries})`,
    exits: sql<number>`sum(${rollupPages.exits})`,
    leaves: sql<number>`sum(${rollupPages.leaves})`,
  };
  const page = (order: SQL) =>
    db
      .select(totals)
      .from(rollupPages)
      .where(inSlice(s))
      .groupBy(rollupPages.path)
      .orderBy(desc(order), rollupPages.path)
      .limit(TOP);
  const [top, entries, exits] = await guard("statsPages", () =>
    db.batch([page(totals.pageviews), page(totals.entries), page(totals.exits)]),
  );
  return { top, entries: entries.filter((r) => r.entries > 0), exits: exits.filter((r) => r.exits > 0) };
}

/** The per-day duration histograms of the given pages (to merge into medians). */
export async function pageDurations(db: Db, s: Slice, paths: string[]) {
  if (paths.length === 0) return [];
  return guard("statsPageDurations", () =>
    db
      .select({ path: rollupPages.path, durations: rollupPages.durations })
      .from(rollupPages)
      .where(and(inSlice(s), inArray(rollupPages.path, paths))),
  );
}
