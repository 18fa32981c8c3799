import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launch, startDemo, startWorker, type Worker } from "./harness.ts";

export interface E2E {
  worker: Worker;
  demo: ReturnType<typeof startDemo>;
  browser: Browser;
}

/**
 * Registers beforeAll/afterAll for one e2e file: the worker under `wrangler dev` on `workerPort`
 * (inspector `inspectorPort`), the demo console on `demoPort` (a different origin, the only one
 * in ALLOWED_ORIGINS) and one chromium. The returned object is filled in by beforeAll.
 */
export function e2eSetup(workerPort: number, inspectorPort: number, demoPort: number): E2E {
  const e = {} as E2E;
  beforeAll(async () => {
    e.worker = await startWorker(workerPort, inspectorPort, { ALLOWED_ORIGINS: `http://127.0.0.1:${demoPort}` });
    e.demo = startDemo(demoPort, e.worker.url);
    await e.demo.ready;
    e.browser = await launch();
  });
  afterAll(async () => {
    await e.browser?.close();
    await e.demo?.stop();
    await e.worker?.stop();
  });
  return e;
}
