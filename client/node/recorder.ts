import type { Ledger } from "./ledger.ts";
import { mutateLedger } from "./ledgerLock.ts";
import { addException, addFeature, addRecurring, exceptionEntry, isFactKey } from "./records.ts";
import { scrubber } from "./scrub.ts";
import { serialQueue } from "./serial.ts";

export interface RecorderHost {
  readonly dir: string;
  log: (line: string) => void;
  now: () => number;
  /** Whether recording is allowed now: re-checks the persisted state (a CLI `disable` counts at once). */
  allowed: () => Promise<boolean>;
}

/** Fact and exception records: each one an atomic change of the shared ledger. Never throws. */
export class Recorder {
  private readonly scrub = scrubber();
  private readonly writes = serialQueue();
  private readonly host: RecorderHost;

  constructor(host: RecorderHost) {
    this.host = host;
  }

  feature(key: string, value: string | number | boolean): Promise<void> {
    return isFactKey(key, this.host.log)
      ? this.record((l, now) => addFeature(l, key, this.scrub(String(value)), now))
      : Promise.resolve();
  }

  recurring(key: string, value: string | number | boolean, days: number): Promise<void> {
    return isFactKey(key, this.host.log)
      ? this.record((l, now) => addRecurring(l, key, this.scrub(String(value)), days, now))
      : Promise.resolve();
  }

  captureException(error: unknown): Promise<void> {
    return this.record((l, now) => addException(l, exceptionEntry(error, this.scrub, now)));
  }

  /** Resolves when every record under way is written. */
  idle = (): Promise<unknown> => this.writes.idle();

  private async record(change: (l: Ledger, now: number) => Ledger): Promise<void> {
    try {
      if (!(await this.host.allowed())) return;
      await this.writes.run(() => mutateLedger(this.host.dir, (l) => change(l, this.host.now())));
    } catch (err) {
      this.host.log(`could not record telemetry: ${String(err)}`);
    }
  }
}
