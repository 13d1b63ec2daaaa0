import { createRedisClient, within } from '../redis-client.js';
import type { HealthCheckResult, Logger } from '@nexus/core';
import { TAKE_SCRIPT } from './bucket.js';
import type { BucketStore, TakeResult } from './bucket.js';
import type { BucketSpec } from './config.js';

type TakeCommand = (key: string, capacity: string, rate: string, ...now: string[]) => Promise<[number, number, number, number]>;

/**
 * Buckets in Redis: one EVALSHA round trip per call. No offline queue and no per-request
 * retries, so calls fail fast while Redis is down; the client reconnects in the background.
 */
export function createRedisStore(url: string, logger: Logger, commandTimeoutMs: number, now?: () => number): BucketStore {
  const client = createRedisClient(url, commandTimeoutMs);
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
