/**
 * Envelope items -> typed Sentry values. Only the item types Candor keeps are parsed (`event`,
 * `session`, `sessions`, `client_report`); every other type (transaction, attachment, profile,
 * replay, check-in, log, span...) is skipped unread. A kept item whose payload is not JSON is
 * 400 `invalid_json`; one that fails its schema is 400 `invalid_field` with `$.items[i]...`.
 */
import type { z } from "zod";
import {
  sentryClientReport,
  sentryEvent,
  sentrySession,
  sentrySessions,
  type SentryClientReport,
  type SentryEvent,
  type SentrySession,
  type SentrySessions,
} from "../../../schema";
import { HttpError } from "../../lib/error";
import { parseJson } from "../../lib/json";
import { validate } from "../../lib/validate";
import type { EnvelopeItem } from "./envelope";

export type SentryItem =
  | { type: "event"; event: SentryEvent; payload: Uint8Array }
  | { type: "session"; session: SentrySession }
  | { type: "sessions"; sessions: SentrySessions }
  | { type: "client_report"; report: SentryClientReport }
  | { type: "skipped"; itemType: string };

/** Validates `data`; a failure's path is prefixed with `prefix` (e.g. `$.items[1]`). */
export function validateAt<S extends z.ZodType>(schema: S, data: unknown, prefix: string): z.infer<S> {
  try {
    return validate(schema, data);
  } catch (err) {
    if (!(err instanceof HttpError) || prefix === "$" || err.extra.path === undefined) throw err;
    const path = prefix + err.extra.path.slice(1);
    throw new HttpError(400, "invalid_field", path + err.message.slice(err.extra.path.length), { path });
  }
}

/** One envelope item, parsed when it is a kept type. */
export function readItem(item: EnvelopeItem, index: number): SentryItem {
  const at = `$.items[${index}]`;
  switch (item.type) {
    case "event":
      return { type: "event", event: validateAt(sentryEvent, parseJson(item.payload), at), payload: item.payload };
    case "session":
      return { type: "session", session: validateAt(sentrySession, parseJson(item.payload), at) };
    case "sessions":
      return { type: "sessions", sessions: validateAt(sentrySessions, parseJson(item.payload), at) };
    case "client_report":
      return { type: "client_report", report: validateAt(sentryClientReport, parseJson(item.payload), at) };
    default:
      return { type: "skipped", itemType: item.type };
  }
}
