import type { Nexus } from './nexus.js';

/**
 * A plugin contributes stages to named phases, authorizers and health checks. Phases fix the
 * order across phases; within one phase, stages run in the order they were added, so two
 * plugins with stages in the same phase depend on the order they were added in.
 */
export interface Plugin {
  readonly name: string;
  /** Names of plugins that must be added first; checked by `addPlugin`. */
  readonly dependencies?: readonly string[];
  /** Called once by `addPlugin`; register stages here (`app.use`, `app.authorize`, `app.addHealthCheck`). */
  setup(app: Nexus): void;
  /**
   * Called by `app.start()` once every channel is attached and before any opens: checks
   * options that depend on what the channels serve (`app.routes()`). Throw a NexusSetupError
   * to refuse to start. Not called by `app.ready()` (in-process callers serve no routes).
   */
  verify?(app: Nexus): void;
  /** Connects to its stores before the channels open. */
  start?(): Promise<void>;
  /** Flushes and disconnects after the channels have drained. */
  stop?(): Promise<void>;
  /** Reopens files it writes (after log rotation moved them); `app.reopen()` calls it, on SIGHUP for instance. */
  reopen?(): Promise<void>;
}

/** Where a started channel listens, as `app.start()` reports it. */
export interface ChannelAddress {
  readonly channel: string;
  /** e.g. `http://127.0.0.1:8000` (API) or `http://127.0.0.1:3001/mcp` (MCP). */
  readonly url: string;
}

/** A channel maps its native requests into `app.invoke()` and renders the results. It decides no policy. */
export interface Channel {
  readonly name: string;
  /** Called once by `addChannel`, before start; a channel may register stages here. */
  attach?(app: Nexus): void;
  /**
   * The HTTP paths this channel serves, operation paths included, for start-up checks of
   * path-keyed options (`routeLimits`). A mounted prefix is reported as `<prefix>/*`.
   * Channels without paths (CLI, stdio) leave it out.
   */
  routes?(): readonly string[];
  /** Opens the channel; a listening channel resolves with where it listens. */
  start(app: Nexus): Promise<void | ChannelAddress>;
  /**
   * Stops accepting, lets in-flight calls finish within `graceMs`, then closes. The app calls it
   * after its drain delay, during which `app.state` is already `draining`: a channel keeps
   * accepting until then and may ask clients not to reuse connections.
   */
  stop(options: { readonly graceMs: number }): Promise<void>;
}
