/** ESM entry: `import { Candor, decide } from ".../candor.mjs"`; posthog-js is a lazy chunk. */
import { createCandor } from "./candor.ts";

export const Candor = createCandor((options) => import("./posthog.ts").then((m) => m.boot(options)));
export { decide } from "./decide.ts";
export type { Decision, DecisionInput, License, Reason, TelemetryConfig } from "./decide.ts";
export type { StartOptions } from "./candor.ts";
