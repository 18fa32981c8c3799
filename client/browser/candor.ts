/**
 * The consent gate every visitor downloads: decides, tracks pages exactly once, and loads
 * posthog-js (through `load`) only when allowed. Until the decision, events wait in a queue;
 * when denied they are dropped and every listener and history patch is removed.
 */
import { decide, type Decision, type License, type TelemetryConfig } from "./decide";
import { createTracker, type Props } from "./tracker";

export type Persistence = "memory" | "sessionStorage" | "localStorage" | "cookie" | "localStorage+cookie";

export interface BootOptions {
  apiHost: string;
  token: string;
  persistence: Persistence;
  /** posthog-js drops headless browsers as bots; false turns that filter off (tests only). */
  botFilter: boolean;
}
/** What the lazily loaded posthog chunk gives back. */
export interface Sink {
  capture(event: string, props: Props, at: number, exit: boolean): void;
}
export type Loader = (options: BootOptions) => Promise<Sink>;

type Maybe<T> = T | null | undefined | PromiseLike<T | null | undefined>;

export interface StartOptions {
  /** The Candor worker, e.g. https://telemetry.example.com */
  apiHost: string;
  token?: string;
  license?: Maybe<License>;
  config?: Maybe<TelemetryConfig>;
  /** Sent with every event as candor_instance_id / candor_app_version. */
  instanceId?: string;
  appVersion?: string;
  /** posthog-js persistence; "memory" (default) writes no cookie and no storage. */
  persistence?: Persistence;
  botFilter?: boolean;
}

export function createCandor(load: Loader) {
  let started: Promise<Decision> | undefined;
  let queue: Array<[string, Props, number, boolean]> | undefined = [];
  let sink: Sink | undefined;
  let base: Props = {};
  let template: [string, string] | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = false;
  /** Between pagehide and pageshow the document is not shown, whatever visibilityState says. */
  let gone = false;
  /** Key of the page last entered: a router hook for it (an aborted navigation) renames nothing. */
  let shown: string | undefined;

  const emit = (event: string, props: Props, exit: boolean, at = Date.now()) => {
    if (sink) sink.capture(event, { ...base, ...props }, at, exit);
    else if (queue && queue.length < 100) queue.push([event, props, at, exit]);
  };
  const tracker = createTracker(emit, Date.now);
  const visible = () => document.visibilityState === "visible";
  /** Enters the page now shown; deferred by one task after history changes so a router hook
   *  running right after pushState can name the route template, and a redirect collapses. */
  const sync = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!active || gone || !visible()) return;
    shown = location.pathname;
    tracker.enter(shown, template?.[0] === shown ? template[1] : shown);
  };
  const schedule = () => {
    timer ??= setTimeout(sync, 0);
  };
  const exit = () => {
    if (timer) sync();
    tracker.leave(true);
  };
  const onVisibility = () => (visible() ? sync() : exit());
  const flush = () => timer && sync();
  const hide = () => {
    exit();
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
    queue = undefined;
    for (const [target, type, fn] of events) target.removeEventListener(type, fn);
    for (const [name, original, wrapped] of patched) if (history[name] === wrapped) history[name] = original;
  }

  async function run(o: StartOptions): Promise<Decision> {
    install();
    const [license, config] = await Promise.all([o.license, o.config]);
    const gpc = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
    const token = o.token ?? config?.token;
    const decision = decide({ license, config: { ...config, token }, gpc });
    if (!decision.allowed || !token) {
      uninstall();
      return decision;
    }
    base = { candor_instance_id: o.instanceId, candor_app_version: o.appVersion, candor_license_type: license?.type };
    try {
      sink = await load({ apiHost: o.apiHost.replace(/\/+$/, ""), token, persistence: o.persistence ?? "memory", botFilter: o.botFilter !== false });
    } catch {
      uninstall();
      return decision;
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
      if (routeTemplate && location.pathname !== shown) template = [location.pathname, routeTemplate];
      sync();
    },
    /** A custom event (name: letters, digits, ` _.:/-`, <= 120 chars; <= 10 scalar props). */
    capture(name: string, props?: Record<string, string | number | boolean>) {
      emit(name, { candor_props: props }, false);
    },
  };
}

export type Candor = ReturnType<typeof createCandor>;
