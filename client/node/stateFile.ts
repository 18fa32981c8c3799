import { randomUUID } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { CONSENT_SOURCES } from "./decide.ts";
import { FILES, readJson, writeJsonAtomic } from "./files.ts";

const consent = z.enum(["enabled", "disabled", "undecided"]);
const uuidV4 = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);

/** The state file: identity, the saved choice, the notice shown, and the host's last decision. */
export const stateSchema = z.object({
  _comment: z.string().optional(),
  instanceId: uuidV4,
  createdAt: z.number().int(),
  product: z.string().optional(),
  endpoint: z.string().optional(),
  /** Runtime choice from `enable` / `disable`; below flag, env, config and admin settings. */
  consent: consent.optional(),
  /** The first-run notice version last shown. */
  noticeVersion: z.number().int().optional(),
  /** The host's last decision and the input that made it, so the CLI can honour what it cannot compute. Only the host writes it. */
  decision: z
    .object({
      state: consent,
      locked: z.boolean(),
      reason: z.string(),
      source: z.enum(CONSENT_SOURCES).optional(),
      at: z.number(),
    })
    .optional(),
});
export type State = z.infer<typeof stateSchema>;

export function stateComment(product: string): string {
  return (
    `Telemetry state of ${product}. instanceId is a random identifier (UUIDv4) that tells this ` +
    `installation's reports apart; it contains nothing about you or this machine. Delete this file ` +
    `to get a new one, or run the telemetry CLI's \`forget\` command to also erase it on the server.`
  );
}

export function newState(product: string, keep: Partial<State> = {}): State {
  return { _comment: stateComment(product), ...keep, instanceId: randomUUID(), createdAt: Date.now(), product };
}

/**
 * Reads the state file, (re)creating it when missing, unparseable, without a valid v4 id, or
 * holding one of the host's known-bad ids (e.g. an id every installation once shared).
 */
export async function loadState(dir: string, product: string, knownBadIds: readonly string[] = []): Promise<State> {
  const file = path.join(dir, FILES.state);
  const parsed = stateSchema.safeParse(await readJson(file));
  const bad = new Set(knownBadIds.map((id) => id.toLowerCase()));
  if (parsed.success && !bad.has(parsed.data.instanceId.toLowerCase())) return parsed.data;
  const keep = parsed.success ? { consent: parsed.data.consent, noticeVersion: parsed.data.noticeVersion } : {};
  const fresh = newState(product, keep);
  await writeJsonAtomic(file, fresh);
  return fresh;
}

/** Reads the state file without creating it. */
export async function peekState(dir: string): Promise<State | undefined> {
  const parsed = stateSchema.safeParse(await readJson(path.join(dir, FILES.state)));
  return parsed.success ? parsed.data : undefined;
}

/** Applies `change` to the current state and writes it atomically. */
export async function updateState(dir: string, product: string, change: (s: State) => State): Promise<State> {
  const next = change(await loadState(dir, product));
  await writeJsonAtomic(path.join(dir, FILES.state), { ...next, _comment: stateComment(product) });
  return next;
}
