/**
 * The lazily loaded part: posthog-js's slim build (no external script loading), initialised with
 * every automatic feature off, remote flags off and memory persistence. `before_send` reduces
 * each event to the properties Candor stores, so the raw User-Agent, full URLs, titles and
 * referrer paths never leave the browser.
 */
import posthog from "posthog-js/dist/module.slim.no-external";
import type { BootOptions, Sink } from "./candor.ts";

/** Properties that survive `before_send` (the worker keeps a subset of these). */
const keep =
  /^(token|distinct_id|\$session_id|\$pathname|\$browser|\$os|\$lib|\$lib_version|\$referring_domain|candor_[a-z_]+)$/;

export function boot(o: BootOptions): Sink {
  // Preloaded remote config: posthog-js skips /array/<token>/config(.js) and sends gzip as
  // text/plain (no CORS preflight). Leaving out `surveys` keeps surveys.js from loading.
  const w = window as Window & { _POSTHOG_REMOTE_CONFIG?: Record<string, { config: object; siteApps: [] }> };
  w._POSTHOG_REMOTE_CONFIG = {
    ...w._POSTHOG_REMOTE_CONFIG,
    [o.token]: {
      config: {
        supportedCompression: ["gzip", "gzip-js"],
        hasFeatureFlags: false,
        sessionRecording: false,
        heatmaps: false,
        autocapture_opt_out: true,
      },
      siteApps: [],
    },
  };
  posthog.init(o.token, {
    api_host: o.apiHost,
    persistence: o.persistence,
    autocapture: false,
    capture_pageview: false,
    capture_pageleave: false,
    rageclick: false,
    capture_dead_clicks: false,
    capture_exceptions: false,
    capture_performance: false,
    capture_heatmaps: false,
    disable_session_recording: true,
    disable_surveys: true,
    disable_product_tours: true,
    disable_conversations: true,
    disable_web_experiments: true,
    disable_scroll_properties: true,
    disable_external_dependency_loading: true,
    advanced_disable_flags: true,
    save_referrer: false,
    store_google: false,
    person_profiles: "identified_only",
    request_batching: false,
    opt_out_useragent_filter: !o.botFilter,
    before_send: (event) => {
      if (!event) return null;
      const props: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(event.properties)) if (keep.test(k)) props[k] = v;
      return { ...event, properties: props, $set: undefined, $set_once: undefined };
    },
  });
  return {
    capture(event, props, at, exit) {
      // send_instantly: compressed synchronously and sent now (a keepalive fetch survives a
      // navigation); on exit by beacon, which the browser delivers after the page is gone.
      posthog.capture(event, props, {
        timestamp: new Date(at),
        send_instantly: true,
        ...(exit ? { transport: "sendBeacon" as const } : {}),
      });
    },
  };
}
