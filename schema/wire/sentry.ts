/**
 * The Sentry ingestion protocol as the unchanged SDKs speak it (sentry-python 1.x `/store/`,
 * @sentry/node 10/11 `/envelope/`; /work/shared/PROTOCOLS.md section 3). Only the fields Candor
 * keeps are described; every other field (user e-mail and name, request, breadcrumbs, frame
 * vars and source lines, contexts, modules, extra) is stripped by zod and never read.
 * Values are lenient where SDKs differ (null or absent, string or number): a field of the wrong
 * type is a 400 `invalid_field` with its path, never a guess.
 */
import { z } from "zod";
import { productName } from "./common.ts";

/** Limits of POST /api/:projectId/store/ and /envelope/ (checked while reading and inflating). */
export const sentryLimits = {
  /** Body as sent (gzip or not); Sentry's own ingest allows more, real SDK requests stay far below. */
  bodyBytes: 1024 * 1024,
  /** Body after gunzip. */
  decodedBytes: 4 * 1024 * 1024,
  /** Items per envelope (an SDK sends 1-3). */
  items: 100,
  /** Stack frames kept per exception (the top ones). */
  frames: 50,
} as const;

/** A Sentry project id as in the DSN path (`/6134822`). */
export const sentryProjectId = z.string().regex(/^\d{1,20}$/, "digits");
/** The path parameter of both Sentry routes. */
export const sentryProjectParam = z.object({ projectId: sentryProjectId });

/** A DSN public key (`sentry_key`): 32 hex digits in Sentry, any word characters here. */
export const sentryKey = z.string().regex(/^\w{1,100}$/, "letters, digits or '_'");

/** SENTRY_PROJECTS: project id -> the product its events belong to and the public keys accepted. */
export const sentryProjects = z.record(
  sentryProjectId,
  z.object({ product: productName, keys: z.array(sentryKey).min(1).max(20) }),
);
export type SentryProjects = z.infer<typeof sentryProjects>;

/** SENTRY_MESSAGE_FACTS: product -> the exact message texts stored as facts (anything else is dropped). */
export const sentryMessageFacts = z.record(productName, z.array(z.string().min(1).max(256)).max(100));
export type SentryMessageFacts = z.infer<typeof sentryMessageFacts>;

const text = z.string().nullish();
const count = z.number().int().nonnegative().max(1e9).nullish();
/** Sentry sends ISO strings (Python) or epoch seconds as floats (JavaScript). */
export const sentryTime = z.union([z.string(), z.number()]).nullish();

const frame = z.object({
  module: text,
  function: text,
  filename: text,
  abs_path: text,
  lineno: z.number().int().nullish(),
  colno: z.number().int().nullish(),
  in_app: z.boolean().nullish(),
});
export type SentryFrame = z.infer<typeof frame>;

const exceptionValue = z.object({
  type: text,
  value: text,
  module: text,
  mechanism: z.object({ handled: z.boolean().nullish(), synthetic: z.boolean().nullish() }).nullish(),
  stacktrace: z.object({ frames: z.array(frame).nullish() }).nullish(),
});

/** An error or message event (the `/store/` body, or an envelope `event` item). */
export const sentryEvent = z.object({
  event_id: text,
  timestamp: sentryTime,
  level: text,
  message: z.union([z.string(), z.object({ formatted: text, message: text })]).nullish(),
  logentry: z.object({ formatted: text, message: text }).nullish(),
  release: text,
  server_name: text,
  exception: z.object({ values: z.array(exceptionValue).nullish() }).nullish(),
  /** Only `id` is read, and kept only when it is a UUID (an installation id). */
  user: z.object({ id: z.union([z.string(), z.number()]).nullish() }).nullish(),
});
export type SentryEvent = z.infer<typeof sentryEvent>;

const sessionAttrs = z.object({ release: text, environment: text });

/** A `session` item: one session's state (sent at start, on change, at end). */
export const sentrySession = z.object({
  sid: z.string().min(1).max(100),
  /** user.id || user.email || user.username: kept only when it is a UUID. */
  did: z.union([z.string(), z.number()]).nullish(),
  started: sentryTime,
  timestamp: sentryTime,
  status: text,
  errors: count,
  attrs: sessionAttrs.nullish(),
});
export type SentrySession = z.infer<typeof sentrySession>;

/** A `sessions` item: per-minute counts of sessions by outcome (sentry-python's request mode). */
export const sentrySessions = z.object({
  attrs: sessionAttrs.nullish(),
  aggregates: z
    .array(z.object({ started: sentryTime, exited: count, errored: count, crashed: count, abnormal: count }))
    .max(1000),
});
export type SentrySessions = z.infer<typeof sentrySessions>;

/** A `client_report` item: what the SDK dropped, and why. */
export const sentryClientReport = z.object({
  timestamp: sentryTime,
  discarded_events: z
    .array(z.object({ reason: z.string(), category: z.string(), quantity: z.number().int().nonnegative().max(1e9) }))
    .max(100)
    .nullish(),
});
export type SentryClientReport = z.infer<typeof sentryClientReport>;

/** The envelope's first line; `event_id` names the envelope's event, if any. */
export const envelopeHeader = z.object({ event_id: text });
/** Each item's header line: its type and, optionally, the exact payload length in bytes. */
export const envelopeItemHeader = z.object({
  type: z.string().min(1).max(64),
  length: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
});

/**
 * 200 answer of both routes (the SDKs read only the status): the event's id as 32 hex digits, or
 * null for an envelope without an event (sessions, client reports).
 */
export const sentryAnswer = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable(),
});
export type SentryAnswer = z.infer<typeof sentryAnswer>;
