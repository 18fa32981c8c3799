import { createHash } from "node:crypto";
import { browserRefFromDigest, browserRefInput } from "@candor-telemetry/schema/wire/browserRef";

/**
 * The installation's browser reference (schema/wire/browserRef.ts), synchronously: what the host
 * hands to its frontend (the snippet's `instanceRef`) instead of the installation id. The worker
 * derives the same value from the id with WebCrypto.
 */
export function browserRefOf(instanceId: string): string {
  return browserRefFromDigest(createHash("sha256").update(browserRefInput(instanceId)).digest());
}
