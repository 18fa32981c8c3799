import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../harness/browser.ts";

// Every page entered is counted, on a busy page in real Chromium: the snippet's gate
// (client/browser/candor.ts, bundled as is) with a sink that records what it would send.
// No worker is needed: what is under test is which pages the gate enters.

const entry = `
import { createCandor } from ${JSON.stringify(path.resolve("client/browser/candor.ts"))};
window.__events = [];
window.Candor = createCandor(async () => ({
  capture: (event, props) => window.__events.push([event, String(props.candor_route)]),
}));
window.__decision = window.Candor.start({ apiHost: location.origin, token: "phc_test", config: { adminEnabled: true } });
`;

let browser: Browser;
let server: http.Server;
let origin: string;

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    write: false,
    format: "iife",
  });
  const js = bundle.outputFiles[0]!.text;
  server = http.createServer((req, res) => {
    if (req.url === "/gate.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(js);
    if (req.url === "/favicon.ico") return void res.writeHead(404).end();
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(`<!doctype html><title>SPA</title><script src="/gate.js"></script><p>app</p>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r)); // a free port
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

describe("every page entered is counted (Chromium)", () => {
  it("10 navigations 10 ms apart with a 15 ms render per route: 10 of 10 entered, exactly once, 5 runs", async () => {
    for (let run = 0; run < 5; run++) {
      const page = await browser.newPage();
      try {
        await page.goto(`${origin}/`);
        await page.evaluate(() => (window as unknown as { __decision: Promise<unknown> }).__decision);
        await page.evaluate(
          () =>
            new Promise<void>((resolve) => {
              let i = 0;
              const id = setInterval(() => {
                i++;
                history.pushState({}, "", `/route/${i}`);
                const t = performance.now();
                while (performance.now() - t < 15); // the router renders the route
                if (i === 10) {
                  clearInterval(id);
                  setTimeout(resolve, 50);
                }
              }, 10);
            }),
        );
        const events = await page.evaluate(() => (window as unknown as { __events: string[][] }).__events);
        const views = events.filter(([e]) => e === "$pageview").map(([, r]) => r);
        expect(views, `run ${run}`).toEqual(["/", ...Array.from({ length: 10 }, (_, i) => `/route/${i + 1}`)]);
        // strictly alternating: every leave answers the view before it
        const kinds = events.filter(([e]) => e === "$pageview" || e === "$pageleave").map(([e, r]) => `${e} ${r}`);
        for (let i = 1; i < kinds.length; i += 2)
          expect(kinds[i]).toBe(kinds[i - 1]!.replace("$pageview", "$pageleave"));
      } finally {
        await page.close();
      }
    }
  });

  it("a push and a replace in the same task enter only the target; several pushes in one task enter only the last", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      await page.evaluate(() => (window as unknown as { __decision: Promise<unknown> }).__decision);
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            history.pushState({}, "", "/login");
            history.replaceState({}, "", "/home");
            setTimeout(() => {
              history.pushState({}, "", "/a");
              history.pushState({}, "", "/b");
              setTimeout(resolve, 50);
            }, 20);
          }),
      );
      const events = await page.evaluate(() => (window as unknown as { __events: string[][] }).__events);
      expect(events.filter(([e]) => e === "$pageview").map(([, r]) => r)).toEqual(["/", "/home", "/b"]);
    } finally {
      await page.close();
    }
  });
});
