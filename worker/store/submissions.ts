import { getTableColumns } from "drizzle-orm";
import { unattributedFacts } from "../../schema/tables";
import type { Db } from "./db";
import { guard } from "./db";
import { pingWrites, registeredKey, type InstanceRow, type PingItem, type PingRow } from "./pings";
import { chunk, type FactRow } from "./records";

export type UnattributedRow = typeof unattributedFacts.$inferInsert;

/** One installation's part of a batch submission: its instance, one ping, its facts. */
export interface InstanceSubmission {
  instance: InstanceRow;
  ping: PingRow;
  facts: FactRow[];
}

/** D1 binds at most 100 parameters per statement. */
export const UNATTRIBUTED_PER_INSERT = Math.floor(100 / Object.keys(getTableColumns(unattributedFacts)).length);

/** Inserts of facts that name no installation, <= 100 parameters each, deduplicated by their ids. */
export function unattributedInserts(db: Db, rows: UnattributedRow[]) {
  return chunk(rows, UNATTRIBUTED_PER_INSERT).map((part) =>
    db.insert(unattributedFacts).values(part).onConflictDoNothing(),
  );
}

/**
 * Stores a batch submission (Firefly III) in ONE db.batch: each installation's ping writes
 * (store/pings.ts pingWrites: a repeated Idempotency-Key stores nothing; an installation with a
 * registered key the submission did not present gets nothing written) and the facts that name no
 * installation, deduplicated by their derived ids. Returns the installations refused for their
 * key. Nothing to store: no round trip.
 */
export async function recordSubmission(
  db: Db,
  parts: InstanceSubmission[],
  unattributed: UnattributedRow[],
): Promise<{ refused: string[] }> {
  const keyAt: Array<[item: PingItem, index: number]> = [];
  const statements = [];
  const items: PingItem[] = parts.map((p) => ({
    instance: p.instance,
    ping: p.ping,
    records: { facts: p.facts, exceptions: [] },
  }));
  for (const round of pingWrites(db, items)) {
    statements.push(...round.keyed);
    for (const item of round.items) {
      keyAt.push([item, statements.length]);
      statements.push(registeredKey(db, item.instance.id));
    }
    statements.push(...round.store);
  }
  statements.push(...unattributedInserts(db, unattributed));
  const [first, ...rest] = statements;
  if (!first) return { refused: [] };
  const results = await guard("recordSubmission", () => db.batch([first, ...rest]));
  const refused = keyAt.filter(([p, i]) => {
    const registered = (results[i] as Array<{ keyHash: string | null }>)[0]?.keyHash ?? null;
    return registered !== (p.instance.keyHash ?? null);
  });
  return { refused: refused.map(([p]) => p.instance.id) };
}
