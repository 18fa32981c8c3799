import { log } from "../lib/log";

/** R2 prefix of dead letters: one object per message, `dead-letters/<dead at, ms, 13 digits>-<message id>.json`. */
export const DEAD_LETTER_PREFIX = "dead-letters/";

/** A message the ingestion consumer gave up on, as kept in R2. */
export interface DeadLetter {
  /** The queue's message id. */
  id: string;
  /** When the dead-letter consumer received it (ms). */
  deadAt: number;
  /** Deliveries the dead-letter queue counted for it. */
  attempts: number;
  /** The message body, unchanged (an IngestMessage). */
  body: unknown;
}

export interface DeadLetterItem {
  key: string;
  id: string;
  deadAt: number;
  bytes: number;
}

function keyOf(letter: DeadLetter): string {
  return `${DEAD_LETTER_PREFIX}${String(letter.deadAt).padStart(13, "0")}-${letter.id}.json`;
}

/** Keeps dead letters in R2 (one put each; a re-put of the same id and time overwrites itself). */
export async function putDeadLetters(bucket: R2Bucket, letters: DeadLetter[]): Promise<void> {
  for (const letter of letters) {
    await bucket.put(keyOf(letter), JSON.stringify(letter), { httpMetadata: { contentType: "application/json" } });
  }
  if (letters.length > 0) log("warn", "ingestion messages dead-lettered", { count: letters.length });
}

/** Oldest-first page of dead letters (R2 lists keys in order); `cursor` is R2's list cursor. */
export async function listDeadLetters(
  bucket: R2Bucket,
  limit: number,
  cursor?: string,
): Promise<{ items: DeadLetterItem[]; cursor: string | null }> {
  const page = await bucket.list({ prefix: DEAD_LETTER_PREFIX, limit, cursor });
  const items = page.objects.map((o) => {
    const name = o.key.slice(DEAD_LETTER_PREFIX.length, -".json".length);
    const dash = name.indexOf("-");
    return { key: o.key, id: name.slice(dash + 1), deadAt: Number(name.slice(0, dash)), bytes: o.size };
  });
  return { items, cursor: page.truncated ? page.cursor : null };
}

/** Reads one dead letter (null when it is gone, e.g. replayed meanwhile). */
export async function readDeadLetter(bucket: R2Bucket, key: string): Promise<DeadLetter | null> {
  const object = await bucket.get(key);
  return object ? ((await object.json()) as DeadLetter) : null;
}

export async function deleteDeadLetters(bucket: R2Bucket, keys: string[]): Promise<void> {
  if (keys.length > 0) await bucket.delete(keys);
}
