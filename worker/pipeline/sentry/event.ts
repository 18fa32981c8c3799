/**
 * One Sentry event (a `/store/` body or an envelope `event` item) -> what Candor keeps of it:
 * an exception report (type, message and in-app frames through the shared exception scrubbing
 * step, handled / fatal) or an allow-listed message, plus the release's version, the installation
 * (only a UUID `user.id`) and the client time. Every other field of the event is never read.
 */
import { sentryLimits, type SentryEvent, type SentryFrame } from "../../../schema";
import type { KnownSecrets } from "../../../schema/privacy/scrub";
import { fingerprint } from "../ping/records";
import { scrubException } from "../privacy/scrubException";
import { knownNames } from "./knownNames";
import { clientTime, installationIdOf, versionOf } from "./values";

export interface SentryException {
  type: string;
  message: string;
  stack: string | null;
  fingerprint: string;
  handled: boolean | null;
  fatal: boolean;
}

export interface EventRecord {
  /** 32 hex digits. */
  eventId: string;
  installationId: string | null;
  version: string | null;
  collectedAt: number;
  exception: SentryException | null;
  /** The message text when it is on the product's allow-list (stored as a fact), else null. */
  listedMessage: string | null;
  /** Why part of the event was not kept (logged). */
  dropped: Array<"message_not_listed" | "fact_without_installation" | "empty_event">;
}

type ExceptionValue = NonNullable<NonNullable<SentryEvent["exception"]>["values"]>[number];

/** The message text of a message event (`message` as a string or object, or `logentry`). */
export function messageOf(event: SentryEvent): string | null {
  const m = event.message;
  const text =
    typeof m === "string" ? m : (m?.formatted ?? m?.message ?? event.logentry?.formatted ?? event.logentry?.message);
  return text ? text.trim() : null;
}

/** The frames kept: in-app ones (all when none is in-app), Sentry's order (outermost first), the innermost sentryLimits.frames. */
function keptFrames(frames: SentryFrame[] | null | undefined): SentryFrame[] {
  const all = frames ?? [];
  const inApp = all.filter((f) => f.in_app === true);
  return (inApp.length ? inApp : all).slice(-sentryLimits.frames);
}

/** The exception through THE exception scrubbing step (worker/pipeline/privacy/scrubException.ts). */
async function exceptionOf(value: ExceptionValue, event: SentryEvent, known: KnownSecrets): Promise<SentryException> {
  const frames = keptFrames(value.stacktrace?.frames);
  const source = { id: "", type: value.type || "Error", message: value.value ?? "", frames, collectedAt: 0 };
  const { type, message, stack } = scrubException(source, known);
  return {
    type,
    message,
    stack: stack ?? null,
    fingerprint: await fingerprint(type, stack),
    handled: value.mechanism?.handled ?? null,
    fatal: event.level === "fatal",
  };
}

/**
 * Maps one event. `eventId` is the event's own id, or the one the caller derived; `listed` is
 * the product's message allow-list. An event with exception values is an exception (the last
 * value is the one raised last, Sentry's order); one whose exceptions are all synthetic
 * (@sentry/node 11 attaches one to captureMessage) is a message.
 */
export async function eventRecord(
  event: SentryEvent,
  eventId: string,
  listed: readonly string[],
  now: number,
): Promise<EventRecord> {
  const values = (event.exception?.values ?? []).filter((v) => v.mechanism?.synthetic !== true);
  const message = messageOf(event);
  const installationId = installationIdOf(event.user?.id);
  const out: EventRecord = {
    eventId,
    installationId,
    version: versionOf(event.release),
    collectedAt: clientTime(event.timestamp, now),
    exception: null,
    listedMessage: null,
    dropped: [],
  };
  const last = values.at(-1);
  if (last) {
    const paths = values.flatMap((v) => (v.stacktrace?.frames ?? []).flatMap((f) => [f.abs_path, f.filename]));
    out.exception = await exceptionOf(
      last,
      event,
      knownNames([...paths, ...values.map((v) => v.value)], event.server_name),
    );
  } else if (message !== null) {
    if (!listed.includes(message)) out.dropped.push("message_not_listed");
    else if (installationId === null) out.dropped.push("fact_without_installation");
    else out.listedMessage = message;
  } else out.dropped.push("empty_event");
  return out;
}
