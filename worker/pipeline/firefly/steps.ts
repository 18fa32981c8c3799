/**
 * The Firefly III submission steps, in order: validate -> readRow (per row: attribute, time,
 * reduceValue) -> factId -> toRows. Only a body that is not an array of at most 50 objects is
 * refused (Firefly resends a refused batch at every cron run, forever); a row that cannot be used
 * is dropped with a reason and the batch is still answered 200.
 */
import { z } from "zod";
import {
  clientTimeRange,
  fireflyBatch,
  fireflyRow,
  fireflySharedInstallationId,
  type FireflyRow,
} from "../../../schema";
import { derivedUuid } from "../../lib/derivedUuid";
import { HttpError } from "../../lib/error";
import { validate } from "../../lib/validate";
import { reduceValue, type ValueDrop } from "./reduce";

export type RawRow = Record<string, unknown>;

/** Step 1: a JSON array of at most 50 objects; anything else -> 400 invalid_field with its path. */
export function validateBatch(body: unknown): RawRow[] {
  if (!Array.isArray(body))
    throw new HttpError(400, "invalid_field", "$: expected a JSON array of objects", { path: "$" });
  return validate(fireflyBatch, body);
}

/** The version Firefly sends as `User-Agent: FireflyIII/<version>` (the header itself is never kept). */
export function versionFromUserAgent(ua: string | null): string | null {
  return /^FireflyIII\/([0-9A-Za-z.+-]{1,64})(?:\s|$)/.exec(ua ?? "")?.[1] ?? null;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * PHP's `format('r')` (RFC 2822, `Sat, 05 Dec 2020 10:14:03 +0100`) as the UTC instant in ms;
 * null when the text is not that shape or names no real date.
 */
export function parseCollectedAt(text: string): number | null {
  const m = /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(
    text,
  );
  if (!m) return null;
  const [, d, mon, y, hh, mm, ss, sign, oh, om] = m;
  const month = MONTHS.indexOf(mon!);
  const [day, hour, minute, second] = [Number(d), Number(hh), Number(mm), Number(ss)];
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const local = Date.UTC(Number(y), month, day, hour, minute, second);
  if (new Date(local).getUTCDate() !== day) return null; // 31 Feb
  const offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return local - offset;
}

/** Who a row belongs to: a real installation, or nobody (5.2.7/5.2.8's shared id, "empty", garbage). */
export type Attribution =
  { kind: "instance"; id: string } | { kind: "unattributed"; label: "shared" | "empty" | "invalid" };

export function attribute(installationId: string): Attribution {
  const id = installationId.trim().toLowerCase();
  if (id === fireflySharedInstallationId) return { kind: "unattributed", label: "shared" };
  if (id === "empty") return { kind: "unattributed", label: "empty" };
  return z.uuid().safeParse(id).success ? { kind: "instance", id } : { kind: "unattributed", label: "invalid" };
}

export interface FireflyFact {
  owner: Attribution;
  kind: "feature" | "recurring";
  key: string;
  value: string;
  /** UTC ms; the receive time when collected_at is unreadable; clamped like every client time. */
  collectedAt: number;
}

export type DropReason = "malformed" | "unknown_type" | ValueDrop;

/** Step 2: one row checked and reduced; a row that cannot be used is a drop reason, never an error. */
export function readRow(raw: RawRow, now: number): FireflyFact | { drop: DropReason } {
  const parsed = fireflyRow.safeParse(raw);
  if (!parsed.success) return { drop: "malformed" };
  const row: FireflyRow = parsed.data;
  if (row.type !== "feature" && row.type !== "recurring") return { drop: "unknown_type" };
  const reduced = reduceValue(row.key, String(row.value));
  if ("drop" in reduced) return reduced;
  const at = parseCollectedAt(row.collected_at) ?? now;
  return {
    owner: attribute(row.installation_id),
    kind: row.type,
    key: row.key,
    value: reduced.value,
    collectedAt: Math.min(Math.max(at, clientTimeRange.min), clientTimeRange.max),
  };
}

/**
 * Step 3: a fact's id, derived from what is stored of it (product, owner, kind, key, value, UTC
 * instant): the same row resent a week later (Firefly never got the 200) is the same fact.
 */
export function factId(product: string, f: FireflyFact): Promise<string> {
  const owner = f.owner.kind === "instance" ? f.owner.id : `(${f.owner.label})`;
  return derivedUuid(JSON.stringify(["firefly-fact", product, owner, f.kind, f.key, f.value, f.collectedAt]));
}

/**
 * The submission's reference (the answer's `uuid`): derived from the batch's rows as sent, in
 * any order, so a resent batch gets the same reference and is recognised as a replay.
 */
export function submissionRef(product: string, rows: RawRow[]): Promise<string> {
  const canonical = rows.map((r) => JSON.stringify(r)).sort();
  return derivedUuid(JSON.stringify(["firefly-submission", product, canonical]));
}
