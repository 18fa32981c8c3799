import { HttpError } from "../../lib/error";
import { log } from "../../lib/log";
import { SEND_BATCH_BYTES, SEND_BATCH_MESSAGES, type IngestMessage, type SizedMessage } from "./message";

/**
 * Hands messages to the ingestion queue in as few `sendBatch` calls as its limits allow
 * (<= 100 messages and <= 256 KB per call). Messages are sent as JSON (`contentType: "json"`), so
 * their size is the `bytes` measured when they were built (SizedMessage): nothing is serialised
 * here but by the queue itself. A queue failure is a 503 with Retry-After: the
 * client resends, and its ids make the resend safe.
 */
export async function sendMessages(queue: Queue<IngestMessage>, messages: SizedMessage[]): Promise<void> {
  const groups: IngestMessage[][] = [];
  let group: IngestMessage[] = [];
  let bytes = 0;
  for (const { body: m, bytes: size } of messages) {
    if (group.length > 0 && (group.length === SEND_BATCH_MESSAGES || bytes + size > SEND_BATCH_BYTES)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(m);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  try {
    for (const g of groups) await queue.sendBatch(g.map((body) => ({ body, contentType: "json" as const })));
  } catch (err) {
    log("error", "queue send failed", { detail: err instanceof Error ? err.message : String(err) });
    throw new HttpError(503, "storage_unavailable", "Storage is temporarily unavailable.", {}, { "retry-after": "30" });
  }
}
