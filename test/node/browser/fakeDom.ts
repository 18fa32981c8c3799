/**
 * Just enough of a browser for the snippet in Node: window and document as EventTargets that
 * remember their live listeners, a history that moves a location, visibility, and
 * document.createElement / head.appendChild for the script-tag loader. Install with vi.stubGlobal.
 */
import { vi } from "vitest";

class Target extends EventTarget {
  readonly live = new Set<string>();
  override addEventListener(type: string, fn: EventListenerOrEventListenerObject | null) {
    this.live.add(type);
    super.addEventListener(type, fn);
  }
  override removeEventListener(type: string, fn: EventListenerOrEventListenerObject | null) {
    this.live.delete(type);
    super.removeEventListener(type, fn);
  }
}

export interface FakeScript {
  src?: string;
  onload?: () => void;
  onerror?: (e: unknown) => void;
}

export function fakeDom(start = "https://console.test/app/home") {
  let url = new URL(start);
  const win = new Target();
  const doc = Object.assign(new Target(), {
    visibilityState: "visible" as "visible" | "hidden",
    currentScript: null,
    scripts: [] as FakeScript[],
    createElement: (): FakeScript => ({}),
    head: { appendChild: (s: FakeScript) => void doc.scripts.push(s) },
  });
  const history = {
    pushState(_state: unknown, _title: string, to?: string | URL | null) {
      if (to != null) url = new URL(to, url);
    },
    replaceState(_state: unknown, _title: string, to?: string | URL | null) {
      if (to != null) url = new URL(to, url);
    },
  };
  const original = { pushState: history.pushState, replaceState: history.replaceState };
  const location = {
    get pathname() {
      return url.pathname;
    },
    get hash() {
      return url.hash;
    },
  };
  vi.stubGlobal("window", win);
  vi.stubGlobal("document", doc);
  vi.stubGlobal("history", history);
  vi.stubGlobal("location", location);
  vi.stubGlobal("navigator", { globalPrivacyControl: false });
  vi.stubGlobal("HTMLScriptElement", class {});
  return {
    win,
    doc,
    history,
    original,
    /** `location.hash = …` in a browser: the URL changes, then popstate and hashchange fire. */
    setHash(hash: string) {
      url = new URL(hash, url);
      win.dispatchEvent(new Event("popstate"));
      win.dispatchEvent(new Event("hashchange"));
    },
    visibility(state: "visible" | "hidden") {
      doc.visibilityState = state;
      doc.dispatchEvent(new Event("visibilitychange"));
    },
    fire(target: EventTarget, type: string) {
      target.dispatchEvent(new Event(type));
    },
  };
}
