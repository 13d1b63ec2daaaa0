import type { Redis } from 'ioredis';
import type { HealthCheckResult, Logger } from '@nexus/core';
import { loadIoredis } from './lazy-modules.js';

/**
 * The client settings every per-request Redis store of this package uses (rate limits,
 * idempotency). No offline queue and no per-request retries, so calls fail fast while Redis is
 * down; the client reconnects in the background. Connects only when `connect()` is called.
 */
export function createRedisClient(url: string, commandTimeoutMs: number): Redis {
  const { Redis: RedisClient } = loadIoredis();
  return new RedisClient(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Bounds every call's wait on Redis: a slow or dead store must not hold requests.
    commandTimeout: commandTimeoutMs,
    // Calls in flight at once share one write and one read: one round trip for many keys.
    enableAutoPipelining: true,
    connectTimeout: 1_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
  });
}

const TIMED_OUT = 'Redis did not answer in time';

/**
 * Settles with `work` or rejects after `ms`, whichever comes first. ioredis's commandTimeout
 * starts when a command is written, and with auto-pipelining a command waits unwritten while
 * the previous pipeline is outstanding: on a hung server, calls queued behind others waited a
 * multiple of the timeout. This deadline starts with the call.
 */
export function within<T>(work: Promise<T>, ms: number): Promise<T> {
  // One promise and one timer per call (this runs on every rate-limited request): no race or
  // finally chain. The abandoned command still settles later (ioredis keeps replies in order);
  // its outcome is taken here and ignored.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(TIMED_OUT)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Start, stop and health of a client made by `createRedisClient`, with one warning per outage. */
export function redisLifecycle(client: Redis, logger: Logger, what: string, commandTimeoutMs: number): { start(): Promise<void>; stop(): Promise<void>; health(): Promise<HealthCheckResult> } {
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger.warn(`${what} unreachable`, { error: error.message });
  });
  client.on('ready', () => {
    if (reported) logger.info(`${what} reachable again`);
    reported = false;
  });
  return {
    async start() {
      try {
        await client.connect();
      } catch {
        // Not fatal: the client keeps reconnecting; the store's fail-open setting decides meanwhile.
      }
    },
    async stop() {
      if (client.status === 'end') return;
      // QUIT cannot be sent without a connection; waiting for one would only delay the stop.
      if (client.status !== 'ready') return client.disconnect();
      try {
        await Promise.race([client.quit(), new Promise((_, reject) => setTimeout(reject, 1_000).unref())]);
      } catch {
        client.disconnect();
      }
    },
    async health() {
      if (client.status !== 'ready') return { status: 'degraded', backend: 'redis', detail: `${what} unreachable` };
      try {
        await within(client.ping(), commandTimeoutMs);
        return { status: 'healthy', backend: 'redis' };
      } catch {
        return { status: 'degraded', backend: 'redis', detail: `${what} not answering` };
      }
    },
  };
}
