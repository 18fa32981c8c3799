/**
 * Script-tag build (`/candor.js`, IIFE): defines `window.Candor`. posthog-js is fetched only when
 * allowed, as the classic script `candor-posthog.js` next to this one (no CORS needed).
 */
import { createCandor, type BootOptions, type Sink } from "./candor.ts";

type Boot = (options: BootOptions) => Sink;
const w = window as Window & { Candor?: unknown; CandorPostHog?: Boot };
const here = document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : "";

w.Candor ??= createCandor(
  (options) =>
    new Promise<Sink>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("candor-posthog.js", here || `${options.apiHost}/`).href;
      // A missing or throwing CandorPostHog rejects (start() then resolves "load_failed").
      script.onload = () => {
        try {
          resolve(w.CandorPostHog!(options));
        } catch (e) {
          reject(e);
        }
      };
      script.onerror = reject;
      document.head.appendChild(script);
    }),
);
