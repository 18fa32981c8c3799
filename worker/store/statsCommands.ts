import { and, between, desc, eq, ne, sql } from "drizzle-orm";
import { rollupCommands } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import type { Slice } from "./stats";

export interface CommandFilter {
  /** One result; undefined = every result but "ok". */
  result: string | undefined;
  version: string | undefined;
}

/**
 * FerretDB command results over the range, per (version, command, argument, result), summed in
 * D1 and bounded by (product, day BETWEEN from AND to), a prefix of rollup_commands' key.
 */
export async function commandRows(db: Db, s: Slice, f: CommandFilter, limit: number) {
  const t = rollupCommands;
  const installationDays = sql<number>`sum(${t.installations})`;
  const count = sql<number>`total(${t.total})`;
  return guard("statsCommands", () =>
    db
      .select({
        version: t.version,
        command: t.command,
        argument: t.argument,
        result: t.result,
        installationDays,
        count,
      })
      .from(t)
      .where(
        and(
          eq(t.product, s.product),
          between(t.day, s.from, s.to),
          f.result === undefined ? ne(t.result, "ok") : eq(t.result, f.result),
          f.version === undefined ? undefined : eq(t.version, f.version),
        ),
      )
      .groupBy(t.version, t.command, t.argument, t.result)
      .orderBy(desc(installationDays), desc(count), t.version, t.command, t.argument, t.result)
      .limit(limit),
  );
}
