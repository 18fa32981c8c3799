import { replayCachedAnswer } from "./report/answer.ts";
import { currentDecision, decideAndRecord, sameDecision, toggleConsent, type ToggleResult } from "./consent/record.ts";
import type { ConsentDecision } from "./consent/decide.ts";
import { firstRunNotice } from "./report/notice.ts";
import { browserRefOf } from "./state/browserRef.ts";
import { ciOf, clientLog, reporterContext, resolvedDir, type TelemetryOptions } from "./options.ts";
import { Recorder } from "./ledger/recorder.ts";
import { nextReport, report, type ReportOutcome } from "./report/reporter.ts";
import { ReporterSlot } from "./lock/reporterSlot.ts";
import { Scheduler } from "./report/scheduler.ts";
import { serialQueue } from "./report/serial.ts";
import { updateState, type State } from "./state/stateFile.ts";
import { ConsentError } from "./consent/words.ts";
import type { PingRequest } from "@candor-telemetry/schema/wire/ping";
export type { ToggleResult } from "./consent/record.ts";

/** The instance client a host product embeds: consent, schedule, ledger, reports. */
export class Telemetry {
  readonly dir: string;
  private readonly o: TelemetryOptions;
  private readonly scheduler: Scheduler;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private state: State | undefined;
  private current: ConsentDecision | undefined;
  private readonly slot: ReporterSlot;
  private readonly queue = serialQueue(); // reports, in order
  private readonly recorder: Recorder;
  private stopping = new AbortController();
  /** Set when the state dir cannot be used: telemetry is off for this process, with this reason. */
  private unusable: ConsentDecision | undefined;

  constructor(options: TelemetryOptions) {
    this.o = options;
    this.dir = resolvedDir(options);
    this.slot = new ReporterSlot(this.dir);
    this.now = options.now ?? Date.now;
    this.log = clientLog(options);
    this.scheduler = new Scheduler(() => this.tick(), options, options.initialised ?? true);
    const allowed = async () => this.current !== undefined && (await this.recheck()).state !== "disabled";
    this.recorder = new Recorder({ dir: this.dir, log: this.log, now: this.now, allowed });
  }

  /** Loads (or creates) the state, decides consent and records the decision; no notice, no schedule. */
  open = (): Promise<ConsentDecision> => this.decide();

  /** open(), then the first-run notice, the cached update notice and the schedule. Throws ConsentError on a bad word. */
  async start(): Promise<ConsentDecision> {
    this.stopping = new AbortController();
    const decision = await this.open();
    if (this.unusable) return decision;
    try {
      this.state = await firstRunNotice(this, this.o, decision, ciOf(this.o), this.log);
      await replayCachedAnswer(this.dir, this.now(), this.o.onUpdate);
    } catch (err) {
      return this.off(err);
    }
    // The would-be report of a disabled installation is written in the background (stop() waits
    // for it): start() never waits for the host's collect().
    if (decision.state === "disabled")
      void this.queue
        .run(() => this.send(decision, false))
        .catch((err: unknown) => this.log(`could not write the last report: ${String(err)}`));
    this.scheduler.start(decision.state);
    return decision;
  }

  /** The host is ready: the first report may go (see the `initialised` option). */
  markInitialised = (): void => this.scheduler.markInitialised();

  /** The current decision (after start()), and the installation id. */
  get decision(): ConsentDecision | undefined {
    return this.current;
  }
  get instanceId(): string | undefined {
    return this.state?.instanceId;
  }
  /**
   * The installation's browser reference (after start()/open()): a one-way derivation of the id
   * for the host's frontend (the snippet's `instanceRef`). Hand the browser this, never the id:
   * the id is what an erasure or a report names.
   */
  get browserRef(): string | undefined {
    return this.state && browserRefOf(this.state.instanceId);
  }

  /** Changes host-known inputs (licence, config, admin) at runtime and re-decides. */
  async update(inputs: Pick<TelemetryOptions, "licensed" | "config" | "admin">): Promise<ConsentDecision> {
    Object.assign(this.o, inputs);
    return this.decide();
  }

  /**
   * Runtime toggles (the host's admin UI): they change the admin setting (and the saved choice).
   * Refused with the reason when a higher input locks the decision (DO_NOT_TRACK, the executable
   * name, the licence, a flag, the env var, the config file).
   */
  enable = (): Promise<ToggleResult> => this.toggle("enabled");
  disable = (): Promise<ToggleResult> => this.toggle("disabled");

  /** Records a feature fact once ever. No-op while disabled (re-checked each time) or for a bad key; never throws. */
  feature = (key: string, value: string | number | boolean = true): Promise<void> => this.recorder.feature(key, value);
  /** Records a recurring fact at most once per `days` days. Same rules as feature(). */
  recurring = (key: string, value: string | number | boolean, days = 7): Promise<void> =>
    this.recorder.recurring(key, value, days);
  /** Records an exception report (type, message, stack), scrubbed. Same rules as feature(). */
  captureException = (error: unknown): Promise<void> => this.recorder.captureException(error);

  /** The exact payload the next report would send. */
  preview = async (): Promise<PingRequest> => (await nextReport(this.context(), true)).payload;

  /** Reports now (respecting consent and debug mode). */
  submit = (): Promise<ReportOutcome> => this.queue.run(async () => this.send(await this.decide(), false));

  /**
   * Cancels timers and aborts a report in flight; sends a final report only when telemetry is
   * explicitly enabled: that report only, one attempt, at most 3 s. Releases the lock.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.scheduler.stop();
    const d = this.current && !this.unusable ? await this.recheck().catch(() => this.current) : undefined;
    if (d?.state === "enabled" && (await this.slot.hold(this.now())))
      await this.queue.run(() => this.send(d, true)).catch(() => undefined);
    await Promise.all([this.queue.idle(), this.recorder.idle()]);
    await this.slot.release();
  }

  /** Used by the notice: persists a state change. */
  async saveState(change: (s: State) => State): Promise<State> {
    this.state = await updateState(this.dir, this.o.product, change, this.log);
    return this.state;
  }

  /** A report; only the final one (stop()) is not cut short by stop(). */
  private send(d: ConsentDecision, final: boolean): Promise<ReportOutcome> {
    const ctx = this.context();
    const transport = final ? ctx.transport : { ...ctx.transport, signal: this.stopping.signal };
    return report({ ...ctx, transport }, d.state === "disabled" ? d.reason : null, final);
  }

  /**
   * Decides and records. A state dir that cannot be used (a file in the way, `telemetry.json` a
   * directory, no permission) turns telemetry off for this process (see off()); a bad consent
   * word still throws its ConsentError (the host's own configuration is wrong).
   */
  private async decide(): Promise<ConsentDecision> {
    if (this.unusable) return this.unusable;
    try {
      const { decision, state } = await decideAndRecord(this.o, this.dir, this.now());
      return this.adopt(decision, state);
    } catch (err) {
      if (err instanceof ConsentError) throw err;
      return this.off(err);
    }
  }

  /**
   * Telemetry off for the rest of this process, with the reason (`decision.reason`): the host
   * keeps running whatever happens to the state dir. Nothing is recorded, scheduled or sent.
   */
  private off(err: unknown): ConsentDecision {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    const why = code ?? (err instanceof Error ? err.message : String(err));
    this.unusable = {
      state: "disabled",
      locked: true,
      reason: `off: the state dir ${this.dir} cannot be used (${why}); fix it and restart to report again`,
    };
    this.log(`telemetry is ${this.unusable.reason}`);
    this.current = this.unusable;
    this.scheduler.setState("disabled");
    return this.unusable;
  }

  private adopt(decision: ConsentDecision, state: State): ConsentDecision {
    [this.state, this.current] = [state, decision];
    this.scheduler.setState(decision.state);
    return decision;
  }

  /** The decision as it stands now (a CLI `disable` counts at once); recorded again only when it changed. */
  private async recheck(): Promise<ConsentDecision> {
    if (this.unusable) return this.unusable;
    const d = await currentDecision(this.o, this.dir);
    return sameDecision(this.current, d) ? d : this.decide();
  }

  private async toggle(to: "enabled" | "disabled"): Promise<ToggleResult> {
    if (this.unusable)
      return { ok: to === "disabled", message: `Telemetry is ${this.unusable.reason}.`, decision: this.unusable };
    const { result, state } = await toggleConsent(this.o, this.dir, this.now(), to);
    this.adopt(result.decision, state);
    if (result.ok && !result.decision.locked && result.decision.state === "disabled")
      await this.queue.run(() => this.send(result.decision, false));
    return result;
  }

  /** One scheduled report: re-reads consent (the CLI may have changed it), needs the lock. */
  private async tick(): Promise<void> {
    try {
      const d = await this.decide();
      if (!(await this.slot.hold(this.now())))
        return this.o.onReport?.({
          status: "skipped",
          detail: "another process of this installation reports",
          serverUuid: null,
        });
      this.o.onReport?.(await this.queue.run(() => this.send(d, false)));
    } catch (err) {
      this.log(`telemetry report failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private context = () => reporterContext(this.o, this.dir, this.state!, this.log, this.now);
}
