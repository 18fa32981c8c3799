import path from "node:path";
import { z } from "zod";
import { pingRequest, type PingRequest } from "@candor-telemetry/schema/wire/ping";
import { FILES, readJson, writeJsonAtomic } from "../state/files.ts";

export const reportStatus = z.enum(["sent", "queued", "rejected", "disabled", "debug", "invalid", "failed"]);
export type ReportStatus = z.infer<typeof reportStatus>;

const lastReportSchema = z.object({
  _comment: z.string().optional(),
  at: z.number(),
  status: reportStatus,
  detail: z.string(),
  serverUuid: z.string().nullable(),
  payload: pingRequest.nullable(),
});
export type LastReport = z.infer<typeof lastReportSchema>;

const COMMENT =
  "The last telemetry report of this installation, exactly as sent (status sent), queued for a later " +
  "attempt (queued), refused for good by the server (rejected), or as it would have been sent while telemetry is disabled (disabled) or in debug mode (debug).";

export async function writeLastReport(dir: string, report: Omit<LastReport, "_comment">): Promise<void> {
  await writeJsonAtomic(path.join(dir, FILES.lastReport), { _comment: COMMENT, ...report });
}

export async function readLastReport(dir: string): Promise<LastReport | undefined> {
  const parsed = lastReportSchema.safeParse(await readJson(path.join(dir, FILES.lastReport)));
  return parsed.success ? parsed.data : undefined;
}

export type { PingRequest };
