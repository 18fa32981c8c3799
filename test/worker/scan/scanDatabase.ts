import { env } from "cloudflare:workers";

export interface Hit {
  table: string;
  column: string;
  needle: string;
  value: string;
}

/** Every table of the local D1, from sqlite_master (SQLite's and Cloudflare's own excluded). */
export async function tableNames(): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
  ).all<{ name: string }>();
  return results.map((r) => r.name);
}

/**
 * Every value of every column of every table (text, JSON text, numbers as text), searched
 * case-insensitively for each needle. Returns the hits (none is the pass).
 */
export async function scanDatabase(needles: readonly string[]): Promise<{ hits: Hit[]; rows: number }> {
  const hits: Hit[] = [];
  let rows = 0;
  const lowered = needles.map((n) => n.toLowerCase());
  for (const table of await tableNames()) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${table}"`).all<Record<string, unknown>>();
    rows += results.length;
    for (const row of results) {
      for (const [column, raw] of Object.entries(row)) {
        if (raw === null) continue;
        const value = String(raw);
        const lower = value.toLowerCase();
        lowered.forEach((needle, i) => {
          if (lower.includes(needle)) hits.push({ table, column, needle: needles[i]!, value });
        });
      }
    }
  }
  return { hits, rows };
}
