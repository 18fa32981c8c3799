import { promises as fs } from "node:fs";
import path from "node:path";
import { EXIT, type CliResult } from "./commands.ts";
import { FILES } from "../state/files.ts";
import { withLedgerLock } from "../lock/ledgerLock.ts";
import { debugMode, defaultPrefix, type TelemetryOptions } from "../options.ts";
import { newState, peekState, updateState } from "../state/stateFile.ts";
import { KEY_MISMATCH, forgetRemote, forgetUrl } from "../report/transport.ts";

/**
 * `forget`: asks the worker to erase this installation, proving it with the installation key
 * (`Authorization: Bearer`, when the state has one), then deletes the local ledger, last report,
 * answer cache and state. The saved choice and the host's recorded decision survive (forgetting
 * must not switch telemetry back on), with a new id and key. Debug mode prints the request (the
 * key redacted) and changes nothing.
 */
export async function forget(o: TelemetryOptions, dir: string, localOnly: boolean): Promise<CliResult> {
  const state = await peekState(dir);
  if (!state)
    return { code: EXIT.ok, text: "Nothing to forget: no telemetry state here.", json: { ok: true, erased: false } };
  const endpoint = o.endpoint || state.endpoint;
  if (!localOnly && !endpoint)
    return {
      code: EXIT.usage,
      text: "No endpoint known: pass --endpoint <url>, or --local-only.",
      json: { ok: false },
    };
  if (debugMode(o)) {
    const authorization = state.instanceKey ? "Bearer <installation key>" : undefined;
    const request = localOnly
      ? null
      : { method: "DELETE", url: forgetUrl(endpoint!, state.instanceId), ...(authorization ? { authorization } : {}) };
    const debugVar = `${o.prefix ?? defaultPrefix(o.product)}_TELEMETRY_DEBUG`;
    const what = request
      ? `would send ${request.method} ${request.url}${authorization ? ` with Authorization: ${authorization}` : ""}`
      : "would not ask the server";
    const text = `Debug mode (${debugVar}): ${what}; nothing sent, nothing deleted.`;
    return { code: EXIT.ok, text, json: { ok: true, debug: true, request, erased: false } };
  }
  if (!localOnly) {
    const res = await forgetRemote(endpoint!, state.instanceId, o.transport, state.instanceKey);
    if (!res.ok)
      return {
        code: EXIT.failed,
        text:
          res.code === KEY_MISMATCH
            ? `${endpoint} refused to erase ${state.instanceId}: it holds another installation key for that id ` +
              `(a copied state file, or someone who knew the id registered first); nothing deleted locally. ` +
              `Ask the maintainer of ${o.product} to erase it, or use --local-only to start over with a new id.`
            : `Could not ask ${endpoint} to erase ${state.instanceId} (${res.error}); nothing deleted locally. Try again later.`,
        json: { ok: false, error: res.error, ...(res.code ? { code: res.code } : {}) },
      };
  }
  await withLedgerLock(dir, async () => {
    for (const f of [FILES.ledger, FILES.journal]) await fs.rm(path.join(dir, f), { force: true });
  });
  for (const f of [FILES.lastReport, FILES.answer, FILES.state]) await fs.rm(path.join(dir, f), { force: true });
  const keep = { consent: state.consent, decision: state.decision };
  const renewed =
    keep.consent || keep.decision ? await updateState(dir, o.product, () => newState(o.product, keep)) : undefined;
  const where = localOnly
    ? `Local data deleted; the server was not asked, so it still holds what installation ${state.instanceId} reported.`
    : `The server erased installation ${state.instanceId}; local data deleted.`;
  // The id is gone for good either way: a new one is random and unlinked to it.
  const next = renewed
    ? `The saved choice was kept, with a new random installation id ${renewed.instanceId} (made now, unlinked to the old one).`
    : `A new random installation id (unlinked to the old one) is made the next time ${o.product} starts its telemetry.`;
  return {
    code: EXIT.ok,
    text: `${where} ${next}`,
    json: { ok: true, erased: !localOnly, instanceId: state.instanceId, newInstanceId: renewed?.instanceId ?? null },
  };
}
