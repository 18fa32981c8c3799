/** ESM entry: `import { Candor, decide } from ".../candor.mjs"`; posthog-js is a lazy chunk. */
import { createCandor } from "./candor";

export const Candor = createCandor((options) => import("./posthog").then((m) => m.boot(options)));
export { decide } from "./decide";
export type { Decision, DecisionInput, License, Reason, TelemetryConfig } from "./decide";
export type { StartOptions } from "./candor";
