import type { Db } from "../../store/db";
import { guard } from "../../store/db";
import type { EventRow } from "../../store/events";
import { writeEvents } from "../../store/eventWrites";
import { pingWrites, type PingItem } from "../../store/pings";
import { sentryWrites } from "../../store/sentry";
import { unattributedInserts } from "../../store/submissions";
import type { IngestMessage } from "./message";

/**
 * Statements per db.batch in the consumer: one transaction stays short (D1's 30 s query limit)
 * and a failure redoes at most this many. Every statement is idempotent, so a batch that fails
 * after some transactions committed is retried whole and inserts nothing twice.
 */
export const STATEMENTS_PER_TRANSACTION = 100;

/**
 * The queue consumer's write: the pings of all "ping" messages as ONE set-based write
 * (store/pings.ts pingWrites: a fixed list of statements per round of at most one ping per
 * installation, whatever the number of pings), then every other message's statements, in order,
 * in transactions of at most STATEMENTS_PER_TRANSACTION (a round's or a Sentry message's
 * statements never straddle two: they run back to back). Events of all messages are then stored, counted and archived as
 * ONE write (store/eventWrites.ts: byte-bounded chunks, one R2 object per product and day; raw
 * rows in D1 only when `keepRawEvents`, i.e. EVENTS_D1_DAYS > 0).
 * Throws on a D1 or R2 failure (the queue retries the batch).
 */
export async function storeMessages(
  db: Db,
  archive: R2Bucket,
  messages: IngestMessage[],
  now: number,
  keepRawEvents = true,
): Promise<{ statements: number; events: number }> {
  type Statement = Parameters<Db["batch"]>[0][number];
  const events: EventRow[] = [];
  const pingItems: PingItem[] = [];
  const others: Statement[][] = [];
  for (const m of messages) {
    if (m.kind === "ping") {
      pingItems.push({ instance: m.instance, ping: m.ping, records: m.records });
    } else if (m.kind === "events") {
      events.push(...m.rows);
    } else if (m.kind === "sentry") {
      // One unit: its sightings must precede (in the same transaction) the rows linked to them.
      others.push(sentryWrites(db, m.rows));
    } else {
      others.push(...unattributedInserts(db, m.rows).map((s) => [s]));
    }
  }
  // Every statement is idempotent or an order-independent merge: the pings' rounds go first.
  const units = [...pingWrites(db, pingItems).map((round) => [...round.keyed, ...round.store]), ...others];
  const transactions: Statement[][] = [];
  let current: Statement[] = [];
  for (const unit of units) {
    if (current.length > 0 && current.length + unit.length > STATEMENTS_PER_TRANSACTION) {
      transactions.push(current);
      current = [];
    }
    current.push(...unit);
  }
  if (current.length > 0) transactions.push(current);
  for (const t of transactions) {
    const [first, ...rest] = t;
    await guard("storeMessages", () => db.batch([first!, ...rest]));
  }
  const written = await writeEvents(db, archive, events, now, keepRawEvents);
  return { statements: transactions.reduce((n, t) => n + t.length, 0), events: written.inserted };
}
