/**
 * Exactly-once page accounting, free of DOM: one `$pageview` per page entered, one `$pageleave`
 * per page left, strictly alternating. Entering the page already shown is a no-op (same path
 * pushed or replaced again, a router hook after the history patch, effects run twice); leaving
 * twice is a no-op (pagehide + visibilitychange + beforeunload on one exit). Hiding the tab only
 * pauses the clock: `candor_duration_ms` is the time the page was visible.
 */
export type PageEvent = "$pageview" | "$pageleave";
export type Props = Record<string, string | number | boolean | Record<string, string | number | boolean> | undefined>;
export type Emit = (event: string, props: Props, exit: boolean) => void;

export interface Tracker {
  /** A page is shown. `key` identifies it (path and hash route); `path` is what is reported. */
  enter(key: string, path: string): void;
  /** The shown page ends (`exit`: the document may be going away: send by beacon). */
  leave(exit: boolean): void;
  /** The tab is hidden: time stops counting (nothing is sent). */
  pause(): void;
  /** The tab is shown again: time counts again (nothing is sent). */
  resume(): void;
}

export function createTracker(emit: Emit, now: () => number): Tracker {
  let current: { key: string; path: string; shown: number } | undefined;
  /** Visible since (undefined while hidden). */
  let since: number | undefined = now();
  const visibleMs = (c: { shown: number }) => c.shown + (since === undefined ? 0 : now() - since);
  const leave = (exit: boolean) => {
    if (!current) return;
    emit("$pageleave", { candor_route: current.path, candor_duration_ms: Math.max(0, visibleMs(current)) }, exit);
    current = undefined;
  };
  return {
    enter(key, path) {
      if (current?.key === key) return;
      leave(false);
      if (since !== undefined) since = now();
      current = { key, path, shown: 0 };
      emit("$pageview", { candor_route: path }, false);
    },
    leave,
    pause() {
      if (current && since !== undefined) current.shown = visibleMs(current);
      since = undefined;
    },
    resume() {
      since ??= now();
    },
  };
}
