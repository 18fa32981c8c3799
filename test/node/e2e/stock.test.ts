import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../run.ts";
import { TOKEN, settle } from "./harness.ts";
import { e2eSetup } from "./setup.ts";

// A stock posthog-js, everything at its defaults.
const e = e2eSetup();

describe("e2e: a stock posthog-js pointed at Candor", () => {
  it("fetches the remote config, captures, and none of its requests fail", async () => {
    const bundle = await build({
      stdin: {
        contents: `import posthog from "posthog-js";
          posthog.init(${JSON.stringify(TOKEN)}, { api_host: ${JSON.stringify(e.worker.url)}, opt_out_useragent_filter: true, persistence: "memory",
            loaded: (ph) => { ph.capture("stock_loaded"); window.__loaded = true; } });`,
        resolveDir: ROOT,
        loader: "js",
      },
      bundle: true,
      format: "iife",
      write: false,
      logLevel: "silent",
    });
    e.demo.file("/stock.js", bundle.outputFiles[0]!.text);
    e.demo.file("/stock.html", `<!doctype html><title>stock</title><script src="/stock.js"></script>`);

    const context = await e.browser.newContext();
    const page = await context.newPage();
    const answers: Array<[string, number]> = [];
    const failed: string[] = [];
    page.on(
      "response",
      (r) =>
        r.url().startsWith(e.worker.url) &&
        answers.push([`${r.request().method()} ${new URL(r.url()).pathname}`, r.status()]),
    );
    page.on("requestfailed", (r) => failed.push(r.url()));
    await page.goto(`${e.demo.url}/stock.html?q=1`);
    await page.waitForFunction(() => (window as unknown as { __loaded?: boolean }).__loaded === true);
    const stored = await settle(
      () => e.events("event=stock_loaded"),
      (rows) => rows.length >= 1,
    );
    const views = await settle(
      () => e.events("event=%24pageview"),
      (rows) => rows.length >= 1,
    );
    await page.close({ runBeforeUnload: true });
    await context.close();

    expect(failed).toEqual([]);
    const paths = answers.map(([p]) => p);
    expect(paths).toContain(`GET /array/${TOKEN}/config.js`);
    // hasFeatureFlags: false in that config -> posthog-js skips /flags (answered 200 if it asks)
    expect(paths.some((p) => p.startsWith("POST /e"))).toBe(true);
    // exactly 200: posthog-js resends a 202 or 204 up to 10 times
    for (const [what, status] of answers) expect([what, status]).toEqual([what, 200]);
    expect(stored).toHaveLength(1);
    expect(views[0]).toMatchObject({ path: "/stock.html" });
  });
});
