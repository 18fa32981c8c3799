/**
 * Exactly-once page accounting, free of DOM: one `$pageview` per page entered, one `$pageleave`
 * per page left, strictly alternating. Entering the page already shown is a no-op (same path
 * pushed or replaced again, a router hook after the history patch, effects run twice); leaving
 * twice is a no-op (pagehide + visibilitychange + beforeunload on one exit).
 */
export type PageEvent = "$pageview" | "$pageleave";
export type Props = Record<string, string | number | boolean | Record<string, string | number | boolean> | undefined>;
export type Emit = (event: string, props: Props, exit: boolean) => void;

export interface Tracker {
  /** A page is shown. `key` identifies it (the pathname); `path` is what is reported. */
  enter(key: string, path: string): void;
  /** The shown page ends (`exit`: the document may be going away: send by beacon). */
  leave(exit: boolean): void;
}

export function createTracker(emit: Emit, now: () => number): Tracker {
  let current: { key: string; path: string; since: number } | undefined;
  const leave = (exit: boolean) => {
    if (!current) return;
    emit("$pageleave", { candor_route: current.path, candor_duration_ms: Math.max(0, now() - current.since) }, exit);
    current = undefined;
  };
  return {
    enter(key, path) {
      if (current?.key === key) return;
      leave(false);
      current = { key, path, since: now() };
      emit("$pageview", { candor_route: path }, false);
    },
    leave,
  };
}
