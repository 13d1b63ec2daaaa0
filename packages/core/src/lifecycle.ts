import type { Logger } from './logger.js';
import type { JobManager } from './jobs/manager.js';
import type { Nexus } from './nexus.js';
import type { NexusState, ResolvedNexusOptions } from './nexus-options.js';
import type { Channel, ChannelAddress, Plugin } from './plugin.js';
import { NexusSetupError } from './setup-error.js';

/** What the lifecycle needs from the app it runs. */
export interface LifecycleHost {
  /** Handed to plugins and channels. */
  readonly app: Nexus;
  readonly logger: Logger;
  readonly options: ResolvedNexusOptions;
  readonly logStartup: boolean;
  readonly jobs: Pick<JobManager, 'start' | 'stop' | 'stopTaking' | 'announce'>;
  waitForDrain(graceMs: number): Promise<void>;
}

/**
 * The plugins and channels of one app and the states it goes through:
 * idle → starting → running → draining → stopped.
 */
export class Lifecycle {
  private readonly plugins: Plugin[] = [];
  private readonly channels: Channel[] = [];
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private currentState: NexusState = 'idle';
  private verified = false;

  constructor(private readonly host: LifecycleHost) {}

  get state(): NexusState {
    return this.currentState;
  }

  /** True once `ready()` or `start()` was called: setup is closed from then on. */
  get started(): boolean {
    return this.startPromise !== undefined;
  }

  assertNotStarted(what: string): void {
    if (this.startPromise !== undefined) {
      throw new NexusSetupError('NEXUS_ERR_ALREADY_STARTED', `${what} must be added before the app starts`);
    }
  }

  addPlugin(plugin: Plugin): void {
    if (!plugin || typeof plugin.name !== 'string' || typeof plugin.setup !== 'function') {
      throw new NexusSetupError('NEXUS_ERR_INVALID_PLUGIN', 'a plugin needs a name and a setup(app) function');
    }
    this.assertNotStarted(`plugin "${plugin.name}"`);
    if (this.hasPlugin(plugin.name)) {
      throw new NexusSetupError('NEXUS_ERR_DUPLICATE_PLUGIN', `plugin "${plugin.name}" was added twice`);
    }
    for (const dependency of plugin.dependencies ?? []) {
      if (!this.hasPlugin(dependency)) {
        throw new NexusSetupError('NEXUS_ERR_PLUGIN_DEPENDENCY', `plugin "${plugin.name}" needs plugin "${dependency}" to be added first`);
      }
    }
    plugin.setup(this.host.app);
    this.plugins.push(plugin);
  }

  hasPlugin(name: string): boolean {
    return this.plugins.some((plugin) => plugin.name === name);
  }

  addChannel(channel: Channel): void {
    this.assertNotStarted(`channel "${channel.name}"`);
    if (this.channels.some((existing) => existing.name === channel.name)) {
      throw new NexusSetupError('NEXUS_ERR_DUPLICATE_CHANNEL', `channel "${channel.name}" was added twice`);
    }
    channel.attach?.(this.host.app);
    this.channels.push(channel);
  }

  ready(): Promise<void> {
    this.startPromise ??= (async () => {
      this.currentState = 'starting';
      for (const plugin of this.plugins) await plugin.start?.();
      await this.host.jobs.start();
      this.currentState = 'running';
    })();
    return this.startPromise;
  }

  routes(): string[] {
    return [...new Set(this.channels.flatMap((channel) => channel.routes?.() ?? []))].sort();
  }

  async start(): Promise<ChannelAddress[]> {
    const { app, logger } = this.host;
    if (!this.verified) for (const plugin of this.plugins) plugin.verify?.(app);
    this.verified = true;
    await this.ready();
    this.host.jobs.announce();
    const addresses: ChannelAddress[] = [];
    for (const channel of this.channels) {
      const address = await channel.start(app);
      if (address) addresses.push(address);
    }
    if (this.host.logStartup) for (const { channel, url } of addresses) logger.info(`${channel} listening on ${url}`, { channel, url });
    return addresses;
  }

  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      const { options, logger } = this.host;
      this.currentState = 'draining';
      // Before the first await: a job submitted from here on goes to a worker that is staying.
      this.host.jobs.stopTaking();
      const deadline = performance.now() + options.drainTimeoutMs;
      const left = () => Math.max(0, Math.round(deadline - performance.now()));
      const delayMs = Math.min(options.drainDelayMs, options.drainTimeoutMs);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await Promise.allSettled(this.channels.map((channel) => channel.stop({ graceMs: left() })));
      await this.host.waitForDrain(left());
      await this.host.jobs.stop(left());
      for (const plugin of [...this.plugins].reverse()) {
        try {
          await plugin.stop?.();
        } catch (error) {
          logger.error('plugin failed to stop', { plugin: plugin.name, error });
        }
      }
      this.currentState = 'stopped';
    })();
    return this.stopPromise;
  }

  async reopen(): Promise<void> {
    await Promise.all(
      this.plugins.map(async (plugin) => {
        try {
          await plugin.reopen?.();
        } catch (error) {
          this.host.logger.error('plugin failed to reopen', { plugin: plugin.name, error });
        }
      }),
    );
  }
}
