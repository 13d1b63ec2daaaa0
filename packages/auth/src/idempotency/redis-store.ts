import type { HealthCheckResult, IdempotencyStore, Logger } from '@nexus/core';
import { createRedisClient, redisLifecycle, within } from '../redis-client.js';

// Each script is one atomic step on one key, so instances sharing Redis agree on who claimed it.
const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;
const COMPLETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Scripts {
  nexusIdemClaim(key: string, record: string, ttlMs: string): Promise<string | null>;
  nexusIdemComplete(key: string, expected: string, record: string, ttlMs: string): Promise<number>;
  nexusIdemRelease(key: string, expected: string): Promise<number>;
}

export interface RedisIdempotencyStore extends IdempotencyStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<HealthCheckResult>;
}

/** Idempotency records in Redis under `<prefix><scope hash>`, with the rate limiter's client settings. */
export function createRedisIdempotencyStore(url: string, prefix: string, logger: Logger, commandTimeoutMs: number): RedisIdempotencyStore {
  const client = createRedisClient(url, commandTimeoutMs);
  client.defineCommand('nexusIdemClaim', { numberOfKeys: 1, lua: CLAIM });
  client.defineCommand('nexusIdemComplete', { numberOfKeys: 1, lua: COMPLETE });
  client.defineCommand('nexusIdemRelease', { numberOfKeys: 1, lua: RELEASE });
  const scripts = client as unknown as Scripts;
  const lifecycle = redisLifecycle(client, logger, 'idempotency store', commandTimeoutMs);
  return {
    async claim(key, record, ttlMs) {
      return (await within(scripts.nexusIdemClaim(`${prefix}${key}`, record, String(Math.ceil(ttlMs))), commandTimeoutMs)) ?? undefined;
    },
    async complete(key, expected, record, ttlMs) {
      await within(scripts.nexusIdemComplete(`${prefix}${key}`, expected, record, String(Math.ceil(ttlMs))), commandTimeoutMs);
    },
    async release(key, expected) {
      await within(scripts.nexusIdemRelease(`${prefix}${key}`, expected), commandTimeoutMs);
    },
    ...lifecycle,
  };
}
