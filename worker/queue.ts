// Queue consumers: wiring only. The ingestion queue's batches are stored by pipeline/queue; the
// dead-letter queue's messages are kept in R2 for the admin routes to list and replay.
import { database } from "./store/db";
import { storeMessages } from "./pipeline/queue/store";
import type { IngestMessage } from "./pipeline/queue/message";
import { putDeadLetters } from "./store/deadLetters";
import { log } from "./lib/log";
import { config } from "./config";

/** The dead-letter queue's name (wrangler.toml `dead_letter_queue`). */
export const DEAD_LETTER_QUEUE = "candor-ingest-dlq";

/**
 * One batch. Ingestion: stored, then acknowledged as a whole; a throw makes the queue redeliver
 * every message of the batch (up to max_retries, then to the dead-letter queue). Stores are
 * idempotent, so a redelivery inserts nothing twice. Dead letters: put in R2, then acknowledged.
 */
export async function runQueue(batch: MessageBatch<unknown>, env: Env, now: number): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) {
    await putDeadLetters(
      env.ARCHIVE,
      batch.messages.map((m) => ({ id: m.id, deadAt: now, attempts: m.attempts, body: m.body })),
    );
    batch.ackAll();
    return;
  }
  const messages = batch.messages.map((m) => m.body as IngestMessage);
  try {
    const { statements, events } = await storeMessages(database(env), env.ARCHIVE, messages, now, keepRawEvents(env));
    log("info", "ingestion batch stored", { messages: messages.length, statements, events });
  } catch (err) {
    log("warn", "ingestion batch failed; the queue will retry it", {
      messages: messages.length,
      attempts: Math.max(...batch.messages.map((m) => m.attempts)),
    });
    throw err;
  }
  batch.ackAll();
}

/** Whether raw events go to D1 (EVENTS_D1_DAYS > 0); an invalid configuration keeps them (nothing lost). */
function keepRawEvents(env: Env): boolean {
  try {
    return config(env).eventsD1Days > 0;
  } catch {
    return true;
  }
}
