/**
 * Capture step 5: identifiers that name a person. posthog-js's distinct_id and $session_id are
 * random ids (UUIDv7) and are stored as sent; but an app may identify() people by e-mail, and a
 * misused field may hold an IP address, a URL, a path or a host name. Such a value is replaced
 * by `h:` + HMAC-SHA-256(daily salt, value) (32 hex digits): the day's visitor and session
 * counts stay exact (one person is one value all day), and once the salt is deleted (48 h,
 * scheduled.ts) nobody, Candor included, can tell whose it was. Dropping it instead would count
 * every such visitor as none. The salt is read (never written: the cron makes today's and
 * tomorrow's) only when a batch needs it; in the rare hour with no salt yet, such an identifier
 * is dropped (null) rather than kept.
 */
import { personalKind, scrub } from "../../../schema/privacy/scrub";
import { hmacHex } from "../../lib/hmac";
import { memo } from "../../lib/memo";
import type { CleanEvent } from "./strip";

/** True when an identifier holds an e-mail, address, URL, path or name (a UUID or token is fine). */
export function isPersonal(id: string | null): id is string {
  return id !== null && personalKind(scrub(id).found) !== undefined;
}

/**
 * The events with every personal distinct_id / $session_id replaced (see above). A batch's events
 * share a few ids, so each distinct id is checked (and hashed) once per call.
 */
export async function pseudonymize(
  events: CleanEvent[],
  salt: () => Promise<string | undefined>,
): Promise<CleanEvent[]> {
  const personal = memo(isPersonal);
  const isPersonalId = (id: string | null): id is string => id !== null && personal(id);
  if (!events.some((e) => isPersonalId(e.distinctId) || isPersonalId(e.sessionId))) return events;
  const secret = await salt();
  const hidden = memo((id) =>
    secret === undefined
      ? Promise.resolve(null)
      : hmacHex(secret, `candor-id:${id}`).then((h) => `h:${h.slice(0, 32)}`),
  );
  const hide = async (id: string | null) => (isPersonalId(id) ? hidden(id) : id);
  return Promise.all(
    events.map(async (e) => ({ ...e, distinctId: await hide(e.distinctId), sessionId: await hide(e.sessionId) })),
  );
}
