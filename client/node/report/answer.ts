import path from "node:path";
import { z } from "zod";
import { pingResponse, type PingResponse } from "@candor-telemetry/schema/wire/ping";
import { FILES, readJson, writeJsonAtomic } from "../state/files.ts";

/** How long the worker's last answer (update notice, alerts) stays valid. */
export const ANSWER_TTL_MS = 48 * 3_600_000;

const cacheSchema = z.object({
  _comment: z.string().optional(),
  receivedAt: z.number(),
  answer: pingResponse,
  /** Update versions and alert ids already logged (each is logged once). */
  logged: z.array(z.string()),
});
export type AnswerCache = z.infer<typeof cacheSchema>;

const COMMENT = "The telemetry server's last answer (latest version, update info, security alerts), kept for 48 hours.";

/** The cached answer when younger than 48 h (`fresh`), and the keys already logged. */
export async function readAnswer(dir: string, now: number): Promise<{ fresh?: AnswerCache; logged: string[] }> {
  const parsed = cacheSchema.safeParse(await readJson(path.join(dir, FILES.answer)));
  if (!parsed.success) return { logged: [] };
  const fresh = now - parsed.data.receivedAt < ANSWER_TTL_MS ? parsed.data : undefined;
  return { fresh, logged: parsed.data.logged };
}

/** What the host hears about: the update (if any) and alerts, as handed to `onUpdate`. */
export interface UpdateNotice {
  latestVersion: string | null;
  updateAvailable: boolean;
  updateInfo: PingResponse["update_info"];
  alerts: PingResponse["alerts"];
}

export function toNotice(a: PingResponse): UpdateNotice {
  return {
    latestVersion: a.latest_version,
    updateAvailable: a.update_available,
    updateInfo: a.update_info,
    alerts: a.alerts,
  };
}

/** Log lines for what is new in `answer` (an update version or an alert not logged before). */
export function newLogLines(answer: PingResponse, logged: readonly string[]): { lines: string[]; keys: string[] } {
  const seen = new Set(logged);
  const lines: string[] = [];
  const keys: string[] = [];
  const version = answer.update_info?.version ?? answer.latest_version;
  if (answer.update_available && version && !seen.has(`version:${version}`)) {
    keys.push(`version:${version}`);
    const info = [answer.update_info?.info, answer.update_info?.url].filter(Boolean).join(" ");
    lines.push(`Update available: version ${version}${info ? ` (${info})` : ""}`);
  }
  for (const alert of answer.alerts) {
    if (seen.has(`alert:${alert.id}`)) continue;
    keys.push(`alert:${alert.id}`);
    lines.push(`Security alert (${alert.level}): ${alert.message}${alert.url ? ` ${alert.url}` : ""}`);
  }
  return { lines, keys };
}

/** Stores the answer with the updated logged keys (bounded to the most recent 200). */
export async function saveAnswer(dir: string, answer: PingResponse, logged: string[], now: number): Promise<void> {
  await writeJsonAtomic(path.join(dir, FILES.answer), {
    _comment: COMMENT,
    receivedAt: now,
    answer,
    logged: logged.slice(-200),
  });
}

/** On start: hands a still-fresh cached update notice or alert to the host again. */
export async function replayCachedAnswer(
  dir: string,
  now: number,
  onUpdate: ((n: UpdateNotice) => void) | undefined,
): Promise<void> {
  const { fresh } = await readAnswer(dir, now);
  if (!fresh || !(fresh.answer.update_available || fresh.answer.alerts.length)) return;
  try {
    onUpdate?.(toNotice(fresh.answer));
  } catch {
    // the host's callback failed: its own affair, never the start of telemetry
  }
}
