/**
 * The consent gate every visitor downloads: decides, tracks pages exactly once, and loads
 * posthog-js (through `load`) only when allowed. Until the decision, events wait in a queue;
 * when denied (or when the decision or the download fails) they are dropped and every listener
 * and history patch is removed.
 */
import { cleanProps, eventName, reference, tier } from "./clean.ts";
import type { Loader, Sink, StartOptions } from "./options.ts";
import { pageKey, routeOf } from "./pageKey.ts";
import { decide, type Decision, type License, type Reason, type TelemetryConfig } from "./decide.ts";
import { enqueue, type Queued } from "./queue.ts";
import { createTracker, type Props } from "./tracker.ts";

export type { BootOptions, Loader, Persistence, Sink, StartOptions } from "./options.ts";

const denied = (reason: Reason): Decision => ({ allowed: false, reason });

export function createCandor(load: Loader) {
  let started: Promise<Decision> | undefined;
  let queue: Queued[] | undefined = [];
  let sink: Sink | undefined;
  let base: Props = {};
  let template: [string, string] | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = false;
  /** Between pagehide and pageshow the document is not shown, whatever visibilityState says. */
  let gone = false;
  /** Key of the page last entered: a router hook for it (an aborted navigation) renames nothing. */
  let shown: string | undefined;
  /**
   * The pages navigated to and not yet entered, in order: each navigation's target is recorded
   * when it happens (a later navigation may run before the deferred entry does). Within one task
   * a navigation replaces the one before it (a push then a replace is a redirect).
   */
  let pending: string[] = [];
  let sameTask = false;

  const emit = (event: string, props: Props, exit: boolean, at = Date.now()) => {
    if (sink) sink.capture(event, { ...base, ...props }, at, exit);
    else if (queue) enqueue(queue, [event, props, at, exit]);
  };
  const tracker = createTracker(emit, Date.now);
  const visible = () => document.visibilityState === "visible";
  /** Enters the page now shown; deferred by one task after history changes so a router hook
   *  running right after pushState can name the route template, and a redirect collapses. */
  const sync = () => {
    clearTimeout(timer);
    timer = undefined;
    const keys = [...pending, pageKey()];
    pending = [];
    if (!active || gone || !visible()) return;
    for (const key of keys) {
      shown = key;
      tracker.enter(key, template?.[0] === key ? template[1] : key);
    }
  };
  /** A navigation happened (history patch, popstate, hashchange): records its target now. */
  const schedule = () => {
    const key = pageKey();
    if (sameTask) pending[pending.length - 1] = key;
    else {
      pending.push(key);
      sameTask = true;
      queueMicrotask(() => void (sameTask = false));
    }
    timer ??= setTimeout(sync, 0);
  };
  const flush = () => timer && sync();
  /** Hidden and shown again is not a new page: the clock pauses, nothing is sent. The one
   *  `$pageleave` goes out at pagehide (a tab discarded while hidden may lose it). */
  const onVisibility = () => {
    if (visible()) {
      tracker.resume();
      sync();
    } else tracker.pause();
  };
  const hide = () => {
    flush();
    tracker.leave(true);
    gone = true;
  };
  const restored = () => {
    gone = false;
    sync();
  };
  const events: Array<[EventTarget, string, (e: Event) => void]> = [
    [window, "pagehide", hide],
    [window, "pageshow", restored],
    [window, "popstate", schedule],
    [window, "hashchange", schedule],
    [window, "beforeunload", flush],
    [document, "visibilitychange", onVisibility],
  ];
  const patched: Array<["pushState" | "replaceState", History["pushState"], History["pushState"]]> = [];

  function install() {
    active = true;
    for (const [target, type, fn] of events) target.addEventListener(type, fn);
    for (const name of ["pushState", "replaceState"] as const) {
      const original = history[name];
      const wrapped: History["pushState"] = function (this: History, ...args) {
        original.apply(this, args);
        if (active) schedule();
      };
      history[name] = wrapped;
      patched.push([name, original, wrapped]);
    }
    schedule();
  }
  function uninstall() {
    active = false;
    clearTimeout(timer);
    pending = [];
    queue = undefined;
    for (const [target, type, fn] of events) target.removeEventListener(type, fn);
    for (const [name, original, wrapped] of patched) if (history[name] === wrapped) history[name] = original;
  }

  async function run(o: StartOptions): Promise<Decision> {
    install();
    let license: License | null | undefined, config: TelemetryConfig | null | undefined;
    try {
      [license, config] = await Promise.all([o.license, o.config]);
    } catch {
      uninstall();
      return denied("decision_failed");
    }
    const gpc = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
    const token = o.token ?? config?.token;
    const decision = decide({ license, config: { ...config, token }, gpc });
    if (!decision.allowed || !token) {
      uninstall();
      return decision;
    }
    // Only the browser reference: a raw installation id (the old `instanceId` option) is never sent.
    base = {
      candor_instance_ref: reference(o.instanceRef),
      candor_app_version: o.appVersion,
      candor_license_type: tier(license?.type),
    };
    try {
      sink = await load({
        apiHost: o.apiHost.replace(/\/+$/, ""),
        token,
        persistence: o.persistence ?? "memory",
        botFilter: o.botFilter !== false,
      });
    } catch {
      uninstall();
      return denied("load_failed");
    }
    for (const [event, props, at, leaving] of queue ?? []) sink.capture(event, { ...base, ...props }, at, leaving);
    queue = undefined;
    return decision;
  }

  return {
    decide,
    /** Decides, then (if allowed) loads posthog-js and tracks pages. Calling it again is a no-op. */
    start(options: StartOptions): Promise<Decision> {
      return (started ??= run(options));
    },
    /** Router hook: the page now shown, named by its route template (e.g. `/projects/:id`). */
    page(routeTemplate?: string) {
      const key = pageKey();
      if (routeTemplate && key !== shown) template = [key, routeOf(key, routeTemplate)];
      sync();
    },
    /** A custom event (name: letters, digits, ` _.:/-`, <= 120 chars; <= 10 safe scalar props). */
    capture(name: string, props?: Record<string, string | number | boolean>) {
      if (eventName(name)) emit(name, { candor_props: cleanProps(props) }, false);
    },
  };
}

export type Candor = ReturnType<typeof createCandor>;
