/**
 * Events raised before the decision, at most `max`. When full, the oldest custom event goes
 * first; with page events only, the oldest `$pageview` and its `$pageleave` go together. A
 * `$pageleave` whose `$pageview` is queued is never dropped alone.
 */
import type { Props } from "./tracker.ts";

export type Queued = [event: string, props: Props, at: number, exit: boolean];

export function enqueue(queue: Queued[], item: Queued, max = 100): void {
  if (queue.length >= max) {
    const custom = queue.findIndex(([e]) => e[0] != "$");
    if (custom >= 0) queue.splice(custom, 1);
    else if (item[0][0] != "$") return;
    else queue.splice(0, 2);
  }
  queue.push(item);
}
