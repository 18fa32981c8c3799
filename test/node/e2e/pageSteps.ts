/** Small steps the e2e sessions take on a page, and the stored order of events. */
import type { BrowserContext, Page } from "playwright-core";
import type { StoredEvent } from "./harness.ts";

/** Lets the snippet's deferred history handling (one task) run before the next step. */
export const tick = (page: Page) => page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
/** What the page sees when its tab is hidden or shown (headless chromium never hides a tab). */
export const setVisibility = (page: Page, state: "hidden" | "visible") =>
  page.evaluate((s) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => s });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => s === "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
    if (s === "visible") {
      // back to the browser's own getters for the rest of the session
      delete (document as { visibilityState?: unknown }).visibilityState;
      delete (document as { hidden?: unknown }).hidden;
    }
  }, state);
const time = (e: StoredEvent) => (e.timestamp === null ? 0 : Date.parse(e.timestamp));
export const order = (a: StoredEvent, b: StoredEvent) => time(a) - time(b) || a.uuid.localeCompare(b.uuid);

export interface Stored {
  cookies: number;
  local: number;
  session: number;
  documentCookie: string;
}
/** What this context stored for `origin`, read from a fresh page of that origin (no snippet). */
export async function storageOf(context: BrowserContext, origin: string): Promise<Stored> {
  const page = await context.newPage();
  await page.goto(`${origin}/other.html`);
  const seen = await page.evaluate(() => ({
    local: localStorage.length,
    session: sessionStorage.length,
    documentCookie: document.cookie,
  }));
  await page.close();
  return { cookies: (await context.cookies()).length, ...seen };
}
/** Waits for what a closing page may still send (a pagehide beacon) before anything is read. */
export const afterClose = () => new Promise((r) => setTimeout(r, 1500));
