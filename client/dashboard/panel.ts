import { ApiError, Unauthorized, view } from "./api";
import { dropCharts } from "./charts";
import { card, h } from "./dom";

/** What went wrong, in words a maintainer can act on. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError && err.status === 503) {
    return "The worker's storage is temporarily unavailable (503). Retry in a moment.";
  }
  if (err instanceof ApiError) return err.message;
  return "The worker did not answer. Check the connection and retry.";
}

/**
 * One independently loaded part of a view: shows "Loading…" in its place, then what `load`
 * returns; a failure shows its error and a Retry button in this panel only (the others stay).
 * A refused token is passed to `onUnauthorized`; an answer of a superseded view is dropped.
 */
export function panel(
  title: string,
  load: () => Promise<Array<Node | false | null>>,
  opts: { grid?: boolean; onUnauthorized?: () => void } = {},
): HTMLElement {
  const root = h("div", { class: opts.grid ? "panel grid" : "panel", "data-panel": title, "aria-busy": "true" });
  const signal = view.signal;
  const run = () => {
    root.setAttribute("aria-busy", "true");
    dropCharts(root);
    root.replaceChildren(card(title, h("p", { class: "muted loading" }, "Loading…")));
    load().then(
      (nodes) => {
        if (signal?.aborted) return;
        root.removeAttribute("aria-busy");
        root.replaceChildren(...nodes.filter((n): n is Node => n !== false && n !== null));
      },
      (err: unknown) => {
        if (signal?.aborted) return;
        root.removeAttribute("aria-busy");
        if (err instanceof Unauthorized) return opts.onUnauthorized?.();
        const again = h("button", { type: "button" }, "Retry");
        again.addEventListener("click", run);
        root.replaceChildren(
          card(
            title,
            h("p", { class: "error", role: "alert" }, `Could not load ${title.toLowerCase()}: ${describeError(err)}`),
            again,
          ),
        );
      },
    );
  };
  run();
  return root;
}
