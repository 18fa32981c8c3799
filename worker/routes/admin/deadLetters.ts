import type { IRequest } from "itty-router";
import { deadLettersQuery, replayQuery, type DeadLettersAnswer, type ReplayAnswer } from "../../../schema";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { sized, type IngestMessage, type SizedMessage } from "../../pipeline/queue/message";
import { sendMessages } from "../../pipeline/queue/send";
import { deleteDeadLetters, listDeadLetters, readDeadLetter } from "../../store/deadLetters";

/** GET /v1/admin/dead-letters?limit=&cursor= : dead ingestion messages, oldest first. */
export async function getDeadLetters(request: IRequest, env: Env): Promise<Response> {
  const { limit, cursor } = validateQuery(deadLettersQuery, request);
  const page = await listDeadLetters(env.ARCHIVE, limit, cursor);
  const answer: DeadLettersAnswer = {
    items: page.items.map((i) => ({ id: i.id, dead_at: new Date(i.deadAt).toISOString(), bytes: i.bytes })),
    next: page.cursor,
  };
  return json(answer);
}

/**
 * POST /v1/admin/dead-letters/replay?limit= : resends the oldest dead letters to the ingestion
 * queue, then deletes them from R2. Sent before deleted: a failure in between leaves them to be
 * replayed again, which stores nothing twice (every row carries its id).
 */
export async function replayDeadLetters(request: IRequest, env: Env): Promise<Response> {
  const { limit } = validateQuery(replayQuery, request);
  const page = await listDeadLetters(env.ARCHIVE, limit);
  const keys: string[] = [];
  const bodies: SizedMessage[] = [];
  for (const item of page.items) {
    const letter = await readDeadLetter(env.ARCHIVE, item.key);
    if (!letter) continue;
    keys.push(item.key);
    bodies.push(sized(letter.body as IngestMessage));
  }
  await sendMessages(env.INGEST_QUEUE, bodies);
  await deleteDeadLetters(env.ARCHIVE, keys);
  const answer: ReplayAnswer = { replayed: keys.length, remaining: page.cursor !== null };
  return json(answer);
}
