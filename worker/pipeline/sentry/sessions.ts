/**
 * Release health: `session` items (one session's state, @sentry/node and sentry-python's
 * application mode) and `sessions` aggregates (per-minute counts, sentry-python's request mode)
 * -> rows counted per release. A session's `did` becomes an installation only when it is a UUID.
 */
import type { SentrySession, SentrySessions } from "../../../schema";
import { utcDay } from "../../lib/time";
import type { SessionRow } from "../../store/sentry";
import { clientTime, digest, installationIdOf, versionOf } from "./values";

export interface SessionRecord {
  row: SessionRow;
  installationId: string | null;
  /** Dedupe key of the installation's sign of life (the session id). */
  sightingKey: string;
}

/** One `session` item; null (dropped: `no_release`) without a release. */
export async function sessionRecord(s: SentrySession, product: string, now: number): Promise<SessionRecord | null> {
  const version = versionOf(s.attrs?.release);
  if (version === null) return null;
  const crashed = s.status === "crashed" ? 1 : 0;
  const abnormal = s.status === "abnormal" ? 1 : 0;
  const errored = !crashed && !abnormal && ((s.errors ?? 0) > 0 || s.status === "errored") ? 1 : 0;
  return {
    row: {
      id: await digest(product, "session", s.sid),
      product,
      version,
      startedAt: clientTime(s.started ?? s.timestamp, now),
      sessions: 1,
      errored,
      crashed,
      abnormal,
      receivedAt: now,
      day: utcDay(now),
    },
    installationId: installationIdOf(s.did),
    sightingKey: `sentry:session:${s.sid}`,
  };
}

/**
 * One `sessions` item: a row per minute bucket with any sessions. Buckets carry no id, so the
 * row id hashes the bucket itself: a replay stores nothing, and two installations reporting the
 * very same bucket (release, minute and counts) in the same product count once.
 */
export async function aggregateRows(s: SentrySessions, product: string, now: number): Promise<SessionRow[]> {
  const version = versionOf(s.attrs?.release);
  if (version === null) return [];
  const rows: SessionRow[] = [];
  for (const a of s.aggregates) {
    const [exited, errored, crashed, abnormal] = [a.exited ?? 0, a.errored ?? 0, a.crashed ?? 0, a.abnormal ?? 0];
    const sessions = exited + errored + crashed + abnormal;
    if (sessions === 0) continue;
    const startedAt = clientTime(a.started, now);
    rows.push({
      id: await digest(product, "sessions", version, startedAt, exited, errored, crashed, abnormal),
      product,
      version,
      startedAt,
      sessions,
      errored,
      crashed,
      abnormal,
      receivedAt: now,
      day: utcDay(now),
    });
  }
  return rows;
}
