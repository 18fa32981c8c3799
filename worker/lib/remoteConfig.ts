/**
 * The remote config a stock posthog-js fetches on init. `supportedCompression` keeps it on gzip
 * (no preflighted JSON); `surveys` is left out on purpose (even `false` makes posthog-js
 * download surveys.js). Everything else says "off".
 */
export const remoteConfig = {
  supportedCompression: ["gzip", "gzip-js"],
  hasFeatureFlags: false,
  autocapture_opt_out: true,
  capturePerformance: false,
  heatmaps: false,
  sessionRecording: false,
  siteApps: [],
};

/** Cache header of the config documents (posthog-js refetches them on every page load). */
export const configCache = { "cache-control": "public, max-age=300" };
