import { acquireLock, LOCK_HEARTBEAT_MS, type ReporterLock } from "./reporterLock.ts";

/**
 * This process's claim on the single-reporter lock of a state dir: taken on first need, kept
 * fresh by an unref()ed heartbeat (replicas on other hosts judge the lock by its age), checked
 * before each report (another process may have judged it stale), released on stop.
 */
export class ReporterSlot {
  private lock: ReporterLock | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Whether this process is (now) the reporter. Never throws. */
  async hold(now: number): Promise<boolean> {
    if (this.lock && (await this.lock.held().catch(() => false))) {
      await this.lock.refresh().catch(() => undefined);
      return true;
    }
    clearInterval(this.heartbeat);
    this.lock = await acquireLock(this.dir, now).catch(() => undefined);
    if (this.lock)
      this.heartbeat = setInterval(() => void this.lock?.refresh().catch(() => undefined), LOCK_HEARTBEAT_MS).unref();
    return this.lock !== undefined;
  }

  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.lock?.release().catch(() => undefined);
    this.lock = undefined;
  }
}
