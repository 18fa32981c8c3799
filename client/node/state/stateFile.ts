import { randomBytes, randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { instanceKey, instanceKeyBytes } from "@candor-telemetry/schema/wire/instanceKey";
import { CONSENT_SOURCES } from "../consent/decide.ts";
import { FILES, readJson, writeJsonAtomic } from "./files.ts";

const consent = z.enum(["enabled", "disabled", "undecided"]);
const uuidV4 = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);

/** The state file: identity, the saved choice, the notice shown, and the host's last decision. */
export const stateSchema = z.object({
  _comment: z.string().optional(),
  instanceId: uuidV4,
  /**
   * The installation key (schema/wire/instanceKey.ts): made with the id and kept with it, sent
   * only as `Authorization: Bearer` to prove reports and `forget`. Optional: state files from
   * before it get one on their next load.
   */
  instanceKey: instanceKey.optional(),
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
    `installation's reports apart; it contains nothing about you or this machine. instanceKey is a ` +
    `random secret that proves to the telemetry server that a report or an erasure request comes ` +
    `from this installation: keep it private (the server stores only a hash of it). Delete this file ` +
    `to get a new id and key, or run the telemetry CLI's \`forget\` command to also erase it on the server.`
  );
}

/** A new random installation key (256 bits, base64url). */
export const newInstanceKey = (): string => randomBytes(instanceKeyBytes).toString("base64url");

/** A new identity (id and key, always together) with `keep`'s settings. */
export function newState(product: string, keep: Partial<State> = {}): State {
  return {
    _comment: stateComment(product),
    ...keep,
    instanceId: randomUUID(),
    instanceKey: newInstanceKey(),
    createdAt: Date.now(),
    product,
  };
}

/**
 * Reads the state file, (re)creating it when missing, unparseable, without a valid v4 id, or
 * holding one of the host's known-bad ids (e.g. an id every installation once shared). A new id
 * always comes with a new key. A valid file from before installation keys keeps its id and gets
 * a key (logged once, when it is added).
 */
export async function loadState(
  dir: string,
  product: string,
  knownBadIds: readonly string[] = [],
  log: (line: string) => void = () => {},
): Promise<State> {
  const file = path.join(dir, FILES.state);
  const text = await readText(file);
  const raw = parseJson(text);
  const parsed = stateSchema.safeParse(raw);
  const bad = new Set(knownBadIds.map((id) => id.toLowerCase()));
  if (parsed.success && !bad.has(parsed.data.instanceId.toLowerCase())) {
    if (parsed.data.instanceKey) return parsed.data;
    const keyed = { ...parsed.data, _comment: stateComment(product), instanceKey: newInstanceKey() };
    await writeJsonAtomic(file, keyed);
    log(
      `added an installation key to ${file}: from the next report on, it proves to the server that ` +
        `reports and erasure requests for installation ${keyed.instanceId} come from this installation`,
    );
    return keyed;
  }
  const keep = parsed.success
    ? { consent: parsed.data.consent, noticeVersion: parsed.data.noticeVersion }
    : salvage(raw, text);
  const fresh = newState(product, keep);
  await writeJsonAtomic(file, fresh);
  if (text !== undefined) {
    const why = parsed.success ? "its id is on the product's list of known-bad ids" : "it was not a valid state file";
    const kept = keep.consent ? ` (the saved choice "${keep.consent}" kept)` : "";
    log(`repaired ${file}: ${why}; a new installation id ${fresh.instanceId} was made${kept}`);
  }
  return fresh;
}

/** The file's text, or undefined when it does not exist; any other read error is thrown. */
async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The settings a broken state file still shows, field by field: an opt-out must survive every
 * repair. From JSON that fails the schema (a bad id) each valid field is kept; from text that is
 * no JSON at all (torn, hand-edited) a `"consent": "disabled"` still found in it is kept.
 */
function salvage(raw: unknown, text: string | undefined): Partial<State> {
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    const saved = consent.safeParse(o.consent);
    const notice = z.number().int().safeParse(o.noticeVersion);
    return {
      ...(saved.success ? { consent: saved.data } : {}),
      ...(notice.success ? { noticeVersion: notice.data } : {}),
    };
  }
  return text !== undefined && /"consent"\s*:\s*"disabled"/.test(text) ? { consent: "disabled" } : {};
}

/** Reads the state file without creating it. */
export async function peekState(dir: string): Promise<State | undefined> {
  const parsed = stateSchema.safeParse(await readJson(path.join(dir, FILES.state)));
  return parsed.success ? parsed.data : undefined;
}

/** Applies `change` to the current state and writes it atomically. */
export async function updateState(
  dir: string,
  product: string,
  change: (s: State) => State,
  log?: (line: string) => void,
): Promise<State> {
  const next = change(await loadState(dir, product, [], log));
  await writeJsonAtomic(path.join(dir, FILES.state), { ...next, _comment: stateComment(product) });
  return next;
}

/**
 * A new identity (id and key) in place of `instanceId`, every setting kept: the server holds
 * another key for that id (a copied state file, or someone who knew the id registered a key
 * first), so this installation can no longer report under it. No-op when the file has already
 * moved on to another id.
 */
export async function renewIdentity(
  dir: string,
  product: string,
  instanceId: string,
  log: (line: string) => void,
): Promise<State> {
  return updateState(dir, product, (s) => {
    if (s.instanceId !== instanceId) return s;
    const fresh = newState(product, s);
    log(
      `the server holds another key for installation ${instanceId} (a copied state file, or someone ` +
        `who knew the id registered first); reporting as a new installation ${fresh.instanceId} from now on`,
    );
    return fresh;
  });
}
