import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "../../harness/browser.ts";
import type { RunningWorker } from "../../harness/runningWorker.ts";
import { startWranglerDev } from "../../harness/wranglerDev.ts";
import { startDemo, storedEvents, type StoredEvent } from "./harness.ts";

export interface E2E {
  worker: RunningWorker;
  demo: Awaited<ReturnType<typeof startDemo>>;
  browser: Browser;
  /** Events stored by the worker, read back through its admin API. */
  events(query: string): Promise<StoredEvent[]>;
}

/**
 * Registers beforeAll/afterAll for one e2e file: the demo console on a free port, the worker under
 * `wrangler dev` (as `npm start` runs it; its own local D1; a free port) with only the demo's
 * origin in ALLOWED_ORIGINS, and one Chromium with the back/forward cache left on (Playwright
 * turns it off by default). The returned object is filled in by beforeAll.
 */
export function e2eSetup(): E2E {
  const e = { events: (query: string) => storedEvents(e.worker, query) } as E2E;
  beforeAll(async () => {
    e.demo = await startDemo();
    e.worker = await startWranglerDev({ vars: { ALLOWED_ORIGINS: e.demo.url } });
    e.demo.setWorker(e.worker.url);
    e.browser = await launchChromium({ ignoreDefaultArgs: ["--disable-back-forward-cache"] });
  });
  afterAll(async () => {
    await e.browser?.close();
    await e.demo?.stop();
    await e.worker?.stop();
  });
  return e;
}
