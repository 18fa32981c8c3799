import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../run.ts";
import { TOKEN, settle } from "./harness.ts";
import { e2eSetup } from "./setup.ts";

const e = e2eSetup();

/** PostHog's published HTML snippet (the `!function(t,e){...}` loader), placeholders and all. */
const SNIPPET = readFileSync(path.join(ROOT, "test/fixtures/posthog-snippet.html"), "utf8");
/** A desktop Chrome User-Agent: posthog-js drops events from "HeadlessChrome" as a bot (nothing in the snippet changes). */
const CHROME_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

describe("e2e: PostHog's HTML snippet pasted as published, api_host = the worker", () => {
  it("loads /static/array.js from the worker and stores the pageview and a custom event exactly once", async () => {
    // What a user does: paste the snippet, fill in the project key and api_host.
    const pasted = SNIPPET.replace("<ph_project_api_key>", TOKEN).replace("<ph_client_api_host>", e.worker.url);
    e.demo.file(
      "/snippet.html",
      `<!doctype html><html><head><meta charset="utf-8"><title>snippet</title>${pasted}
<script>posthog.capture("snippet_pasted", { candor_props: { plan: "pro" } });</script>
</head><body><p>pasted</p></body></html>`,
    );

    const context = await e.browser.newContext({ userAgent: CHROME_UA });
    // A person's browser, not an automated one: posthog-js drops events when navigator.webdriver is set.
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "webdriver", { get: () => false });
      // chrome-headless-shell (the bundled fallback Chromium) also names itself in the client
      // hints (brand "HeadlessChrome"), which posthog-js reads as a bot: a person's browser does not.
      const hints = (globalThis as unknown as { NavigatorUAData?: { prototype: object } }).NavigatorUAData;
      const own = hints && Object.getOwnPropertyDescriptor(hints.prototype, "brands");
      if (hints && own?.get) {
        const brands = own.get;
        Object.defineProperty(hints.prototype, "brands", {
          get() {
            return (brands.call(this) as Array<{ brand: string }>).filter((b) => !b.brand.includes("Headless"));
          },
        });
      }
    });
    const page = await context.newPage();
    const answers: Array<[string, number]> = [];
    const failed: string[] = [];
    page.on(
      "response",
      (r) =>
        r.url().startsWith(e.worker.url) &&
        answers.push([`${r.request().method()} ${new URL(r.url()).pathname}`, r.status()]),
    );
    page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ""}`));
    await page.goto(`${e.demo.url}/snippet.html?utm_source=x`);
    await page.waitForFunction(() => (window as unknown as { posthog?: { __loaded?: boolean } }).posthog?.__loaded);

    const custom = await settle(
      () => e.events("event=snippet_pasted"),
      (rows) => rows.length >= 1,
    );
    const views = await settle(
      () => e.events("event=%24pageview"),
      (rows) => rows.length >= 1,
    );
    // posthog-js retries anything but 200: give a resend time to land before counting again.
    await new Promise((r) => setTimeout(r, 1500));
    const customAfter = await e.events("event=snippet_pasted");
    const viewsAfter = await e.events("event=%24pageview");
    await context.close();

    expect(failed).toEqual([]);
    const paths = answers.map(([p]) => p);
    expect(paths).toContain("GET /static/array.js");
    expect(paths.some((p) => p.startsWith("POST /e"))).toBe(true);
    for (const [what, status] of answers) expect([what, status]).toEqual([what, 200]);
    expect(custom).toHaveLength(1);
    expect(customAfter).toEqual(custom);
    expect(custom[0]).toMatchObject({ props: { plan: "pro" }, lib: "web" });
    expect(views).toHaveLength(1);
    expect(viewsAfter).toEqual(views);
    expect(views[0]).toMatchObject({ path: "/snippet.html", product: "flowforge" });
    expect(views[0]!.session_id).toBe(custom[0]!.session_id);
  });

  it("serves array.js from the installed posthog-js, with CORS for its crossorigin script tag", async () => {
    const res = await fetch(`${e.worker.url}/static/array.js`, { headers: { origin: e.demo.url } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const installed = readFileSync(path.join(ROOT, "node_modules/posthog-js/dist/array.js"), "utf8");
    expect(await res.text()).toBe(installed);
    // a lazily loaded extension, as array.js asks for it (`/static/<name>.js?v=<version>`)
    const version = (
      JSON.parse(readFileSync(path.join(ROOT, "node_modules/posthog-js/package.json"), "utf8")) as {
        version: string;
      }
    ).version;
    const ext = await fetch(`${e.worker.url}/static/exception-autocapture.js?v=${version}`);
    expect(ext.status).toBe(200);
    expect(await ext.text()).toBe(
      readFileSync(path.join(ROOT, "node_modules/posthog-js/dist/exception-autocapture.js"), "utf8"),
    );
  });
});
