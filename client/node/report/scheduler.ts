import type { ConsentState } from "../consent/words.ts";

export interface ScheduleOptions {
  /** First report this long after start() (default 10 s)... */
  startupDelayMs?: number;
  /** ...or this long when undecided (default 1 h). */
  undecidedDelayMs?: number;
  /** Then every period (default 24 h), jittered between 3/4 and 5/4 of it. */
  periodMs?: number;
  random?: () => number;
}

/** A delay between 3/4 and 5/4 of `period`; random() in [0, 1). */
export function jittered(period: number, random: () => number = Math.random): number {
  return Math.round(period * (0.75 + random() * 0.5));
}

/**
 * When to report. Every timer is unref()ed: it never keeps the host process alive. The first
 * report waits for the startup delay AND for the host to say it is initialised; a disabled
 * state cancels anything pending. `run` must not throw.
 */
export class Scheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private waitingForInit = false;
  /** The first report is armed and has not run yet. */
  private firstDue = false;
  private startedAt = 0;
  private running: Promise<void> = Promise.resolve();
  private readonly opts: Required<ScheduleOptions>;
  private readonly run: () => Promise<void>;
  private state: ConsentState = "undecided";
  private initialised: boolean;

  constructor(run: () => Promise<void>, opts: ScheduleOptions = {}, initialised = true) {
    this.run = run;
    this.initialised = initialised;
    this.opts = {
      startupDelayMs: 10_000,
      undecidedDelayMs: 3_600_000,
      periodMs: 86_400_000,
      random: Math.random,
      ...opts,
    };
  }

  start(state: ConsentState): void {
    this.started = true;
    this.startedAt = Date.now();
    this.state = state;
    this.first();
  }

  /** The host is ready: a first report that was only waiting for this runs now. */
  markInitialised(): void {
    this.initialised = true;
    if (this.waitingForInit) {
      this.waitingForInit = false;
      this.fire();
    }
  }

  /**
   * A new decision: disabled cancels; leaving disabled arms the first report again; a decision
   * made while the first report still waits out the undecided hour (enable() or the CLI's
   * `enable`) ends that wait: the first report goes once the startup delay since start() is over.
   */
  setState(state: ConsentState): void {
    const was = this.state;
    this.state = state;
    if (state === "disabled") this.cancel();
    else if (was === "disabled" && this.started) this.first();
    else if (was === "undecided" && state === "enabled" && this.firstDue)
      this.first(Math.max(0, this.startedAt + this.opts.startupDelayMs - Date.now()));
  }

  /** Whether a report is scheduled or waiting for initialisation. */
  get pending(): boolean {
    return this.timer !== undefined || this.waitingForInit;
  }

  /** Cancels everything; resolves when a report already running has finished. */
  async stop(): Promise<void> {
    this.started = false;
    this.firstDue = false;
    this.cancel();
    await this.running;
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.waitingForInit = false;
  }

  private first(startup = this.opts.startupDelayMs): void {
    this.cancel();
    if (this.state === "disabled") return;
    this.firstDue = true;
    this.arm(this.state === "undecided" ? this.opts.undecidedDelayMs : startup, () => {
      this.firstDue = false;
      if (this.initialised) this.fire();
      else this.waitingForInit = true;
    });
  }

  private fire(): void {
    this.running = this.running.then(this.run).then(() => {
      if (this.started && this.state !== "disabled" && !this.timer) {
        this.arm(jittered(this.opts.periodMs, this.opts.random), () => this.fire());
      }
    });
  }

  private arm(ms: number, fn: () => void): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fn();
    }, ms);
    this.timer.unref?.();
  }
}
