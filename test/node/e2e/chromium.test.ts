import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumBinary, launchChromium } from "../../harness/browser.ts";

/** Runs `fn` with CANDOR_BROWSER set to `value` (restored after). */
async function withBrowserEnv<T>(value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.CANDOR_BROWSER;
  process.env.CANDOR_BROWSER = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.CANDOR_BROWSER;
    else process.env.CANDOR_BROWSER = saved;
  }
}

// Two local origins: a page, and an API that allows no origin (its answer must stay unreadable).
let servers: http.Server[] = [];
const listen = async (handler: http.RequestListener) => {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
/** Text in the page's font stack and on a canvas (as the dashboard's charts draw their labels). */
const PAGE = `<style>body { font: 14px system-ui, -apple-system, "Segoe UI", sans-serif }</style><h1>Ünïcödé ✓</h1>
<input type="password" id="secret"><canvas width="200" height="50"></canvas>
<script>const c = document.querySelector("canvas").getContext("2d"); c.font = "12px system-ui, sans-serif"; c.fillText("1,234 – ✓", 5, 20);</script>`;
let page = "";
let api = "";
beforeAll(async () => {
  page = await listen((_, res) => void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE));
  api = await listen((_, res) => void res.writeHead(200, { "content-type": "application/json" }).end("{}"));
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  servers = [];
});

describe("the Chromium launcher (test/harness/browser.ts)", () => {
  it("the Chromium shipped in @sparticuz/chromium (what a machine without /usr/bin/chromium gets) renders a page, with web security on", async () => {
    await withBrowserEnv("bundled", async () => {
      const binary = await chromiumBinary();
      expect(binary.source).toBe("bundled");
      expect(binary.executablePath).not.toBe("/usr/bin/chromium");
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        await tab.goto(page);
        expect(await tab.textContent("h1")).toBe("Ünïcödé ✓");
        await tab.fill("#secret", "token"); // a password field draws bullets: a glyph fallback
        expect((await tab.screenshot()).length).toBeGreaterThan(1000); // painted: its fonts were found
        expect(await tab.evaluate(() => [navigator.language, new Intl.NumberFormat().format(1234.5)])).toEqual([
          "en-US",
          "1,234.5",
        ]);
        // The package's own Lambda flags would pass --disable-web-security; ours must not.
        const crossOrigin = await tab.evaluate(
          (url) =>
            fetch(url).then(
              () => "read",
              () => "blocked",
            ),
          api,
        );
        expect(crossOrigin).toBe("blocked");
        expect(browser.version()).toMatch(/^\d+\./);
      } finally {
        await browser.close();
      }
    });
  });

  it("refuses an unknown CANDOR_BROWSER value instead of guessing", async () => {
    await withBrowserEnv("firefox", () => expect(chromiumBinary()).rejects.toThrow(/auto, system or bundled/));
  });
});
