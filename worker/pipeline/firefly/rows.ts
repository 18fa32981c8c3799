/**
 * Firefly step 4: the rows of a submission. Each installation in the batch gets one ping (the
 * week's sign of life, with the submission as its idempotency key, so a resent batch stores
 * nothing) and its facts; facts that name no installation go to unattributed_facts only.
 */
import { utcDay } from "../../lib/time";
import type { InstanceSubmission, UnattributedRow } from "../../store/submissions";
import type { Geo } from "../ping/steps";
import type { FireflyFact } from "./steps";

export type IdentifiedFact = FireflyFact & { id: string };

export interface SubmissionContext {
  product: string;
  /** From the User-Agent (the version at submission time). */
  version: string | null;
  where: Geo;
  now: number;
  /** The submission's reference (steps.ts submissionRef). */
  ref: string;
  newUuid: () => string;
}

/** The latest value of `key` among an installation's facts in this batch. */
function latest(facts: IdentifiedFact[], key: string): string | undefined {
  return facts.filter((f) => f.key === key).sort((a, b) => b.collectedAt - a.collectedAt)[0]?.value;
}

export function toRows(
  facts: IdentifiedFact[],
  ctx: SubmissionContext,
): { parts: InstanceSubmission[]; unattributed: UnattributedRow[] } {
  const day = utcDay(ctx.now);
  const byInstance = new Map<string, IdentifiedFact[]>();
  const unattributed: UnattributedRow[] = [];
  for (const f of facts) {
    const base = { id: f.id, kind: f.kind, key: f.key, value: f.value, collectedAt: f.collectedAt };
    if (f.owner.kind === "unattributed") {
      unattributed.push({ ...base, product: ctx.product, receivedAt: ctx.now, day });
      continue;
    }
    byInstance.set(f.owner.id, [...(byInstance.get(f.owner.id) ?? []), f]);
  }
  const parts = [...byInstance].map(([id, own]): InstanceSubmission => {
    const env = Object.fromEntries(
      Object.entries({
        php: latest(own, "system.php.version"),
        database: latest(own, "system.database.driver"),
        docker: latest(own, "system.os.is_docker"),
      }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const common = {
      product: ctx.product,
      version: ctx.version,
      osType: latest(own, "system.os.version") ?? null,
      osRelease: null,
      osArch: null,
      licenseType: null,
    };
    return {
      instance: { id, firstSeen: ctx.now, lastSeen: ctx.now, pingCount: 0, ...common },
      ping: {
        uuid: ctx.newUuid(),
        instanceId: id,
        idempotencyKey: `firefly:${ctx.ref}`,
        receivedAt: ctx.now,
        day,
        env: Object.keys(env).length > 0 ? env : null,
        counts: null,
        config: null,
        commands: null,
        uptime: null,
        country: ctx.where.country,
        asn: ctx.where.asn,
        ...common,
      },
      facts: own.map((f) => ({
        id: f.id,
        instanceId: id,
        kind: f.kind,
        key: f.key,
        value: f.value,
        collectedAt: f.collectedAt,
        receivedAt: ctx.now,
        day,
      })),
    };
  });
  return { parts, unattributed };
}
