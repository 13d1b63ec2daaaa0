import { loadIoredis } from '../lazy-modules.js';
import type { HealthCheckResult, Logger } from '@nexus/core';
import { TAKE_SCRIPT } from './bucket.js';
import type { BucketStore, TakeResult } from './bucket.js';
import type { BucketSpec } from './config.js';

const TIMED_OUT = 'rate-limit store did not answer in time';

/**
 * Settles with `work` or rejects after `ms`, whichever comes first. ioredis's commandTimeout
 * starts when a command is written, and with auto-pipelining a command waits unwritten while
 * the previous pipeline is outstanding: on a hung server, calls queued behind others waited a
 * multiple of the timeout. This deadline starts with the call.
 */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(TIMED_OUT)), ms);
  });
  // The abandoned command still settles later (ioredis keeps replies in order); nobody waits for it.
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

type TakeCommand = (key: string, capacity: string, rate: string, ...now: string[]) => Promise<[number, number, number, number]>;

/**
 * Buckets in Redis: one EVALSHA round trip per call. No offline queue and no per-request
 * retries, so calls fail fast while Redis is down; the client reconnects in the background.
 */
export function createRedisStore(url: string, logger: Logger, commandTimeoutMs: number, now?: () => number): BucketStore {
  const { Redis } = loadIoredis();
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    // Calls in flight at once share one write and one read: one round trip for many keys.
    enableAutoPipelining: true,
    connectTimeout: 1_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
  });
  client.defineCommand('nexusTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const takeCommand = (client as unknown as { nexusTakeToken: TakeCommand }).nexusTakeToken.bind(client);

  // One warning per outage, not one per reconnect attempt.
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger.warn('rate-limit store unreachable', { error: error.message });
  });
  client.on('ready', () => {
    if (reported) logger.info('rate-limit store reachable again');
    reported = false;
  });

  return {
    async take(key: string, spec: BucketSpec): Promise<TakeResult> {
      const command = now === undefined
        ? takeCommand(key, String(spec.capacity), String(spec.ratePerMs))
        : takeCommand(key, String(spec.capacity), String(spec.ratePerMs), String(now()));
      const reply = await within(command, commandTimeoutMs);
      return { allowed: reply[0] === 1, remaining: reply[1], retryAfterMs: reply[2], resetMs: reply[3] };
    },
    async start() {
      try {
        await client.connect();
      } catch {
        // Not fatal: the client keeps reconnecting, failOpen decides what calls get meanwhile.
      }
    },
    async stop() {
      if (client.status === 'end') return;
      try {
        await Promise.race([client.quit(), new Promise((_, reject) => setTimeout(reject, 1_000).unref())]);
      } catch {
        client.disconnect();
      }
    },
    async health(): Promise<HealthCheckResult> {
      if (client.status !== 'ready') return { status: 'degraded', backend: 'redis', detail: 'rate-limit store unreachable' };
      try {
        await within(client.ping(), commandTimeoutMs);
        return { status: 'healthy', backend: 'redis' };
      } catch {
        return { status: 'degraded', backend: 'redis', detail: 'rate-limit store not answering' };
      }
    },
  };
}
