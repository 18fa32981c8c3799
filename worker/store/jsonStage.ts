import { getTableColumns, sql, type SQL, type Table } from "drizzle-orm";
import { jsonChunks } from "../lib/jsonChunks";

/**
 * Rows of `table` staged through ONE bound JSON parameter (D1 binds at most 100 parameters a
 * statement): each row is a JSON array of its values in the table's column order, each mapped
 * as its column stores it (a JSON column as its text), read back with `json_extract(value,
 * '$[i]')` over `json_each`. `valueOf(row, key)` gives a row's value for a column (undefined or
 * null = NULL); `fixed` gives columns an SQL value of their own instead (not read from the row).
 */
export interface JsonStage<R> {
  /** Rows -> JSON array texts of bounded rows and bytes (lib/jsonChunks.ts; pure). */
  chunks(rows: R[]): string[];
  /** The column `key` of a staged row, in json_each's `value`. */
  field(key: string): SQL;
  /** `SELECT <every column, in the table's order> FROM json_each(json) WHERE true`. */
  select(json: string): SQL;
}

export function jsonStage<R>(
  table: Table,
  valueOf: (row: R, key: string) => unknown,
  fixed: Record<string, SQL> = {},
): JsonStage<R> {
  const columns = Object.entries(getTableColumns(table));
  const keys = columns.map(([key]) => key);
  const staged = keys.map((key) => !(key in fixed));
  const row = (r: R): string => {
    const values: unknown[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const [key, column] = columns[i]!;
      const v = staged[i] ? valueOf(r, key) : null;
      values[i] = v === undefined || v === null ? null : column.mapToDriverValue(v);
    }
    return JSON.stringify(values);
  };
  const field = (key: string): SQL => {
    const i = keys.indexOf(key);
    if (i < 0) throw new Error(`not a column of the stage: ${key}`);
    return sql.raw(`json_extract(value, '$[${i}]')`);
  };
  return {
    chunks: (rows) => jsonChunks(rows.map(row)),
    field,
    select: (json) =>
      sql`SELECT ${sql.join(
        keys.map((key) => fixed[key] ?? field(key)),
        sql`, `,
      )} FROM json_each(${json}) WHERE true`,
  };
}

/**
 * `table`'s columns by SQL name, quoted, in its order: what an `INSERT INTO t (<list>) SELECT
 * <list> FROM <stage>` names on both sides when it moves staged rows into their table.
 */
export function columnList(table: Table): SQL {
  return sql.raw(
    Object.values(getTableColumns(table))
      .map((c) => `"${c.name}"`)
      .join(", "),
  );
}
