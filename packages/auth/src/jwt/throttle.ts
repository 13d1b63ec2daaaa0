import type { Redis } from 'ioredis';
import { loadIoredis, loadRateLimiterFlexible } from '../lazy-modules.js';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '@nexus/core';

/** How many refused credentials one client address may send per window before it is slowed down. */
export interface AuthFailureThrottleConfig {
  /** Refusals allowed per window and address (20). */
  readonly maxFailures?: number;
  /** Window length in seconds (60). */
  readonly windowSeconds?: number;
  /** Addresses tracked at most; the oldest are forgotten first (10000). */
  readonly maxAddresses?: number;
}

/** Where instances share their failure counts: the rate limiter's Redis, under its key prefix. */
export interface SharedThrottleStore {
  readonly redisUrl: string;
  /** Prefix of the counters and of the block channel, e.g. `nexus:rl:authfail`. */
  readonly keyPrefix: string;
  /** The rate limiter's `redisCommandTimeoutMs`. */
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

const MAX_ADDRESS_LENGTH = 256;

function createClient(url: string, commandTimeoutMs: number): Redis {
  // The rate-limit store's settings: bounded waits, no offline queue, reconnect in the background.
  const { Redis: RedisClient } = loadIoredis();
  return new RedisClient(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 1_000,
    // Bounds how long a stopped client's dead socket keeps the process alive.
    disconnectTimeout: 500,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
  });
}

/** What a limiter settled with: a RateLimiterRes whether it resolved or rejected; anything else is a store error. */
function asResult(outcome: unknown): RateLimiterRes | undefined {
  const candidate = outcome as Partial<RateLimiterRes> | null;
  return typeof candidate?.consumedPoints === 'number' && typeof candidate.msBeforeNext === 'number' ? (candidate as RateLimiterRes) : undefined;
}

/**
 * Counts refused credentials per client address in fixed windows (rate-limiter-flexible). Once
 * an address has spent its failures, every further credential from it that fails is answered
 * 429 until the window ends, so token guessing gets a handful of tries per window; a credential
 * that verifies is never refused (the authenticate stage asks only after a failure).
 *
 * Only refusals touch the counter. The blocked check on every request reads a local view,
 * filled from the counter's answers and, with a shared store, from blocks other instances publish.
 */
export class AuthFailureThrottle {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  /** Address → end of its block in ms (0: counted, not blocked); insertion order is eviction order. */
  private readonly local = new Map<string, number>();
  /** Built on the first refusal: an app that refuses nothing never loads rate-limiter-flexible. */
  private counter: RateLimiterAbstract | undefined;
  private memory: RateLimiterAbstract | undefined;
  private readonly counting: { points: number; duration: number; keyPrefix: string };
  private readonly client: Redis | undefined;
  private readonly subscriber: Redis | undefined;
  private readonly channel: string | undefined;

  constructor(config: AuthFailureThrottleConfig = {}, shared?: SharedThrottleStore) {
    this.maxFailures = config.maxFailures ?? 20;
    const windowSeconds = config.windowSeconds ?? 60;
    this.windowMs = windowSeconds * 1000;
    this.maxAddresses = config.maxAddresses ?? 10_000;
    this.counting = { points: this.maxFailures, duration: windowSeconds, keyPrefix: shared?.keyPrefix ?? 'nexus:authfail' };
    if (shared === undefined) return;
    const client = createClient(shared.redisUrl, shared.commandTimeoutMs);
    this.client = client;
    this.channel = `${shared.keyPrefix}:blocked`;
    this.subscriber = client.duplicate();
    this.watch(shared.logger);
  }

  /** Seconds until the address may try again, or 0 when it may try now. */
  blockedFor(address: string, now = Date.now()): number {
    const until = this.local.get(address);
    if (until === undefined || until === 0) return 0;
    if (until <= now) {
      this.local.delete(address);
      return 0;
    }
    return Math.ceil((until - now) / 1000);
  }

  /** Counts one refused credential; never throws and, with Redis down, never waits past the command timeout. */
  async fail(address: string): Promise<void> {
    if (!this.local.has(address)) this.remember(address, 0);
    let result: RateLimiterRes | undefined;
    try {
      result = asResult(await this.limiter().consume(address));
    } catch (outcome) {
      result = asResult(outcome);
    }
    if (result === undefined || result.consumedPoints < this.maxFailures) return;
    this.remember(address, Date.now() + result.msBeforeNext);
    // The failure that spends the budget tells the other instances; later ones learn from the counter.
    if (result.consumedPoints === this.maxFailures && this.client !== undefined) {
      this.client.publish(this.channel!, `${result.msBeforeNext} ${address}`).catch(() => {});
    }
  }

  private limiter(): RateLimiterAbstract {
    if (this.counter !== undefined) return this.counter;
    const { RateLimiterMemory, RateLimiterRedis } = loadRateLimiterFlexible();
    const memory = new RateLimiterMemory(this.counting);
    this.memory = memory;
    // While Redis is unreachable the memory counter stands in: authentication never waits on it.
    this.counter = this.client === undefined ? memory : new RateLimiterRedis({ ...this.counting, storeClient: this.client, rejectIfRedisNotReady: true, insuranceLimiter: memory });
    return this.counter;
  }

  async start(): Promise<void> {
    // Not fatal: the clients keep reconnecting and the memory counter stands in meanwhile.
    await Promise.all([this.client?.connect().catch(() => {}), this.subscriber?.connect().catch(() => {})]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.client, this.subscriber].map(async (client) => {
      if (client === undefined || client.status === 'end') return;
      // A client that is not connected has nothing to flush; quit() would leave its reconnect timer running.
      if (client.status !== 'ready') return client.disconnect();
      try {
        await Promise.race([client.quit(), new Promise((_, reject) => setTimeout(reject, 1_000).unref())]);
      } catch {
        client.disconnect();
      }
    }));
  }

  private remember(address: string, until: number): void {
    if (!this.local.has(address)) {
      while (this.local.size >= this.maxAddresses) {
        const oldest = this.local.keys().next().value as string;
        this.local.delete(oldest);
        void this.memory?.delete(oldest);
      }
    }
    this.local.set(address, until);
  }

  private watch(logger: Logger): void {
    const client = this.client!;
    const subscriber = this.subscriber!;
    const channel = this.channel!;
    // One warning per outage, not one per reconnect attempt.
    let reported = false;
    const down = (error: Error) => {
      if (reported) return;
      reported = true;
      logger.warn('auth failure throttle store unreachable; counting in memory', { error: error.message });
    };
    client.on('error', down);
    subscriber.on('error', down);
    client.on('ready', () => {
      if (reported) logger.info('auth failure throttle store reachable again');
      reported = false;
    });
    // Subscribes on every (re)connection: a subscription refused while Redis was down is retried here.
    subscriber.on('ready', () => void subscriber.subscribe(channel).catch(() => {}));
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const space = message.indexOf(' ');
      const ms = Number(message.slice(0, space));
      const address = message.slice(space + 1);
      if (space < 1 || !(ms > 0) || address.length === 0 || address.length > MAX_ADDRESS_LENGTH) return;
      this.remember(address, Date.now() + Math.min(ms, this.windowMs));
    });
  }
}
