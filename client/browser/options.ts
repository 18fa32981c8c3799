/** Options of `Candor.start()` and of the lazily loaded posthog-js part. */
import type { License, TelemetryConfig } from "./decide.ts";
import type { Props } from "./tracker.ts";

export type Persistence = "memory" | "sessionStorage" | "localStorage" | "cookie" | "localStorage+cookie";

export interface BootOptions {
  apiHost: string;
  token: string;
  persistence: Persistence;
  /** posthog-js drops headless browsers as bots; false turns that filter off (tests only). */
  botFilter: boolean;
}
/** What the lazily loaded posthog chunk gives back. */
export interface Sink {
  capture(event: string, props: Props, at: number, exit: boolean): void;
}
export type Loader = (options: BootOptions) => Promise<Sink>;

export type Maybe<T> = T | null | undefined | PromiseLike<T | null | undefined>;

export interface StartOptions {
  /** The Candor worker, e.g. https://telemetry.example.com */
  apiHost: string;
  token?: string;
  license?: Maybe<License>;
  config?: Maybe<TelemetryConfig>;
  /**
   * The installation's browser reference (`telemetry.browserRef` of the Node client; 22 base64url
   * characters, else not sent), sent with every event as candor_instance_ref.
   */
  instanceRef?: string;
  /** @deprecated Ignored: the browser never sends an installation id. Pass `instanceRef`. */
  instanceId?: string;
  /** Sent with every event as candor_app_version. */
  appVersion?: string;
  /** posthog-js persistence; "memory" (default) writes no cookie and no storage. */
  persistence?: Persistence;
  botFilter?: boolean;
}
