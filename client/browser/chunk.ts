/** Script-tag build of the lazy part (`/candor-posthog.js`, IIFE): hands `boot` to the gate. */
import { boot } from "./posthog.ts";

(window as Window & { CandorPostHog?: typeof boot }).CandorPostHog = boot;
