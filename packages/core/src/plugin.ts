import type { Nexus } from './nexus.js';

/**
 * A plugin contributes stages to named phases, authorizers and health checks. Phases fix the
 * order, so adding plugins in a different order never changes behaviour.
 */
export interface Plugin {
  readonly name: string;
  /** Names of plugins that must be added first; checked by `addPlugin`. */
  readonly dependencies?: readonly string[];
  /** Called once by `addPlugin`; register stages here (`app.use`, `app.authorize`, `app.addHealthCheck`). */
  setup(app: Nexus): void;
  /** Connects to its stores before the channels open. */
  start?(): Promise<void>;
  /** Flushes and disconnects after the channels have drained. */
  stop?(): Promise<void>;
  /** Reopens files it writes (after log rotation moved them); `app.reopen()` calls it, on SIGHUP for instance. */
  reopen?(): Promise<void>;
}

/** A channel maps its native requests into `app.invoke()` and renders the results. It decides no policy. */
export interface Channel {
  readonly name: string;
  /** Called once by `addChannel`, before start; a channel may register stages here. */
  attach?(app: Nexus): void;
  start(app: Nexus): Promise<void>;
  /**
   * Stops accepting, lets in-flight calls finish within `graceMs`, then closes. The app calls it
   * after its drain delay, during which `app.state` is already `draining`: a channel keeps
   * accepting until then and may ask clients not to reuse connections.
   */
  stop(options: { readonly graceMs: number }): Promise<void>;
}
