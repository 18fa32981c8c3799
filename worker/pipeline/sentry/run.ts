/**
 * The Sentry pipeline: parsed items -> rows (events -> exceptions, facts and sightings; sessions
 * -> release health and sightings; client reports -> drop counts) -> one batched store. Every
 * item is parsed and mapped before anything is written, so a bad item leaves no row.
 */
import { browserRef, type SentryAnswer, type SentryEvent } from "../../../schema";
import { derivedUuid } from "../../lib/derivedUuid";
import { log } from "../../lib/log";
import { utcDay } from "../../lib/time";
import type { Db } from "../../store/db";
import { recordSentry, sightingStatements, type SentryRows } from "../../store/sentry";
import { clientReportRows } from "./clientReport";
import { eventIdOf, parseEnvelope } from "./envelope";
import { eventRecord, type EventRecord } from "./event";
import { readItem, type SentryItem } from "./items";
import { aggregateRows, sessionRecord } from "./sessions";
import { dashed, digest } from "./values";
import type { IngestMessage } from "../queue/message";
import { sendMessages } from "../queue/send";
import { splitSentry } from "../queue/split";

export interface SentryInput {
  product: string;
  /** The product's message allow-list (SENTRY_MESSAGE_FACTS). */
  listed: readonly string[];
  now: number;
}

/** Fact key of allow-listed Sentry messages. */
export const MESSAGE_FACT_KEY = "sentry.message";

/** The event's id (32 hex digits): its own, else `fallback`, else a hash of its payload (replays dedupe). */
async function idOf(event: SentryEvent, payload: Uint8Array, fallback: string | null, product: string) {
  return (
    eventIdOf(event.event_id) ?? fallback ?? (await digest(product, new TextDecoder().decode(payload))).slice(0, 32)
  );
}

async function sighting(rows: SentryRows, input: SentryInput, instanceId: string, version: string | null, key: string) {
  const { product, now } = input;
  rows.sightings.push({
    instance: {
      id: instanceId,
      product,
      firstSeen: now,
      lastSeen: now,
      version,
      browserRef: await browserRef(instanceId),
    },
    ping: {
      // Derived: the same sighting (a replay, a redelivered message) is the same ping row.
      uuid: await derivedUuid(`sentry\n${product}\n${instanceId}\n${key}`),
      instanceId,
      idempotencyKey: key,
      product,
      version,
      receivedAt: now,
      day: utcDay(now),
    },
  });
}

async function addEvent(rows: SentryRows, input: SentryInput, r: EventRecord) {
  const { product, now } = input;
  const id = dashed(r.eventId);
  if (r.installationId) await sighting(rows, input, r.installationId, r.version, `sentry:event:${r.eventId}`);
  if (r.exception) {
    const { fingerprint, type, message, stack, handled, fatal } = r.exception;
    rows.exceptions.push({
      id,
      instanceId: r.installationId,
      product,
      fingerprint,
      type,
      message,
      stack,
      version: r.version,
      handled,
      fatal,
      collectedAt: r.collectedAt,
      receivedAt: now,
      day: utcDay(now),
    });
  }
  if (r.listedMessage && r.installationId) {
    rows.facts.push({
      id,
      instanceId: r.installationId,
      kind: "recurring",
      key: MESSAGE_FACT_KEY,
      value: r.listedMessage,
      collectedAt: r.collectedAt,
      receivedAt: now,
      day: utcDay(now),
    });
  }
}

/**
 * Maps the items, then stores them in one batch (direct) or hands them to the ingestion queue
 * (INGEST_MODE=queue: the answer waits for no D1 write; the consumer stores them with the same
 * statements); logs what was dropped; returns the first event's id.
 */
async function ingestItems(
  db: Db,
  items: SentryItem[],
  headerEventId: string | null,
  input: SentryInput,
  queue: Queue<IngestMessage> | null,
) {
  const rows: SentryRows = { sightings: [], exceptions: [], facts: [], sessions: [], clientReports: [] };
  const dropped: Record<string, number> = {};
  const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
  let firstEventId: string | null = null;
  for (const item of items) {
    if (item.type === "event") {
      const eventId = await idOf(item.event, item.payload, firstEventId ? null : headerEventId, input.product);
      firstEventId ??= eventId;
      const r = await eventRecord(item.event, eventId, input.listed, input.now);
      r.dropped.forEach(drop);
      await addEvent(rows, input, r);
    } else if (item.type === "session") {
      const s = await sessionRecord(item.session, input.product, input.now);
      if (!s) drop("session_without_release");
      else {
        rows.sessions.push(s.row);
        if (s.installationId) await sighting(rows, input, s.installationId, s.row.version, s.sightingKey);
      }
    } else if (item.type === "sessions") {
      const agg = await aggregateRows(item.sessions, input.product, input.now);
      if (agg.length === 0) drop("sessions_without_release_or_count");
      rows.sessions.push(...agg);
    } else if (item.type === "client_report") {
      rows.clientReports.push(...(await clientReportRows(item.report, input.product, input.now)));
    } else drop(`item_${item.itemType.replace(/[^a-z_]/g, "").slice(0, 32)}`);
  }
  if (queue) await sendMessages(queue, splitSentry(rows, sightingStatements(db)));
  else await recordSentry(db, rows);
  if (Object.keys(dropped).length) log("info", "sentry items dropped", { product: input.product, dropped });
  return headerEventId ?? firstEventId;
}

/** POST /api/:projectId/store/: one event (the decoded body). */
export async function ingestStore(
  db: Db,
  bytes: Uint8Array,
  event: SentryEvent,
  input: SentryInput,
  queue: Queue<IngestMessage> | null = null,
): Promise<SentryAnswer> {
  const id = await ingestItems(db, [{ type: "event", event, payload: bytes }], null, input, queue);
  return { id };
}

/** POST /api/:projectId/envelope/: framing, then every item. */
export async function ingestEnvelope(
  db: Db,
  bytes: Uint8Array,
  input: SentryInput,
  queue: Queue<IngestMessage> | null = null,
): Promise<SentryAnswer> {
  const envelope = parseEnvelope(bytes);
  const items = envelope.items.map(readItem);
  return { id: await ingestItems(db, items, envelope.eventId, input, queue) };
}
