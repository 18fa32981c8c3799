/**
 * The fact scrubbing step: every fact row is made after it (factRows, worker/pipeline/ping/
 * records.ts), whatever route brought the fact (the instance client's /v1/ping `facts`; a Firefly
 * III batch mapped onto facts). Fact values are free text by design (Firefly's console
 * signatures), so they are scrubbed in place (placeholders, schema/privacy/scrub.ts) and clipped
 * to pingLimits.factValue; a fact whose KEY holds a private value has no meaning left: null.
 * The ping route names such a fact in its answer's `dropped` (scrubPing.ts) before this runs.
 */
import { pingLimits, type PingFact } from "../../../schema";
import { scrub, scrubText } from "../../../schema/privacy/scrub";

export function scrubFact(fact: PingFact): PingFact | null {
  if (scrub(fact.key).found.length > 0) return null;
  return { ...fact, value: scrubText(fact.value).slice(0, pingLimits.factValue) };
}
