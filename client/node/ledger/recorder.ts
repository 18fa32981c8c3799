import { appendRecord, LEDGER_MAX_ENTRIES, loadLedger, type Ledger, type RecordEntry } from "./ledger.ts";
import { withLedgerLock } from "../lock/ledgerLock.ts";
import { addFeature, addRecurring, exceptionEntry, isFactKey } from "./records.ts";
import { scrubber } from "./scrub.ts";
import { serialQueue } from "../report/serial.ts";

export interface RecorderHost {
  readonly dir: string;
  log: (line: string) => void;
  now: () => number;
  /** Whether recording is allowed now: re-checks the persisted state (a CLI `disable` counts at once). */
  allowed: () => Promise<boolean>;
}

/**
 * Fact and exception records: each one appended to the ledger's journal under the ledger lock
 * (an exception without reading the ledger; a fact after checking its key was not recorded
 * already). Never throws.
 */
export class Recorder {
  private readonly scrub = scrubber();
  private readonly writes = serialQueue();
  private readonly host: RecorderHost;

  constructor(host: RecorderHost) {
    this.host = host;
  }

  feature(key: string, value: string | number | boolean): Promise<void> {
    return isFactKey(key, this.host.log)
      ? this.record(async (now) =>
          added(await loadLedger(this.host.dir), (l) => addFeature(l, key, this.scrub(String(value)), now)),
        )
      : Promise.resolve();
  }

  recurring(key: string, value: string | number | boolean, days: number): Promise<void> {
    return isFactKey(key, this.host.log)
      ? this.record(async (now) =>
          added(await loadLedger(this.host.dir), (l) => addRecurring(l, key, this.scrub(String(value)), days, now)),
        )
      : Promise.resolve();
  }

  captureException(error: unknown): Promise<void> {
    return this.record(async (now) => exceptionEntry(error, this.scrub, now));
  }

  /** Resolves when every record under way is written. */
  idle = (): Promise<unknown> => this.writes.idle();

  private async record(make: (now: number) => Promise<RecordEntry | undefined>): Promise<void> {
    try {
      if (!(await this.host.allowed())) return;
      const { dir, log } = this.host;
      await this.writes.run(() =>
        withLedgerLock(dir, async () => {
          const entry = await make(this.host.now());
          if (entry && !(await appendRecord(dir, entry)))
            log(`a record was not kept: the telemetry ledger holds ${LEDGER_MAX_ENTRIES} unsent entries already`);
        }),
      );
    } catch (err) {
      this.host.log(`could not record telemetry: ${String(err)}`);
    }
  }
}

/** The entry `change` adds to `ledger`, or undefined when it adds none (a key already recorded). */
function added(ledger: Ledger, change: (l: Ledger) => Ledger): RecordEntry | undefined {
  const after = change(ledger);
  return after === ledger ? undefined : (after.entries.at(-1) as RecordEntry);
}
