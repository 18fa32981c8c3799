/** Runs async jobs one at a time, in order (ledger and state writes); a failed job does not block the next. */
export function serialQueue() {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const next = chain.then(fn, fn);
      chain = next.catch(() => undefined);
      return next;
    },
    /** Resolves when every queued job has finished. */
    idle: (): Promise<unknown> => chain,
  };
}
