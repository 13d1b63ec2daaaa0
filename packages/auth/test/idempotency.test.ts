import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import type { InvocationResult } from '@nexus/core';
import { runIdempotencyConformance } from '@nexus/core/testing';
import { NexusAuthPlugin } from '../src/plugin.js';
import type { NexusAuthOptions } from '../src/plugin.js';
import { createRedisIdempotencyStore } from '../src/idempotency/redis-store.js';
import type { RedisIdempotencyStore } from '../src/idempotency/redis-store.js';
import { OwnRedis, sharedRedisUrl, uniquePrefix } from './rate-limit-support.js';

const REDIS_URL = await sharedRedisUrl();
const withRedis = REDIS_URL === undefined ? describe.skip : describe;
const stores: RedisIdempotencyStore[] = [];
const apps: Nexus[] = [];

afterAll(async () => {
  await Promise.all([...stores.map((store) => store.stop()), ...apps.map((app) => app.stop())]);
});

if (REDIS_URL !== undefined) {
  // The very cases the in-memory store passes, on Redis: both backends give the same answers.
  runIdempotencyConformance('redis', {
    store: async () => {
      const store = createRedisIdempotencyStore(REDIS_URL, uniquePrefix('idem'), silentLogger, 250);
      stores.push(store);
      await store.start();
      return store;
    },
  });
}

/** An app with the plugin and `count`, whose runs the test reads. */
async function appWith(options: NexusAuthOptions): Promise<{ app: Nexus; runs: { count: number }; call: (key: string) => Promise<InvocationResult> }> {
  const app = new Nexus({ logger: silentLogger });
  apps.push(app);
  app.addPlugin(new NexusAuthPlugin(options));
  const runs = { count: 0 };
  app.handler('count', { description: 'Counts', input: z.object({}) }, () => ({ run: ++runs.count }));
  await app.ready();
  const call = (key: string) => app.invoke({ channel: 'test', operation: 'count', input: {}, clientAddress: '10.0.0.1', transport: { idempotencyKey: key } });
  return { app, runs, call };
}

withRedis('idempotency on Redis through the auth plugin', () => {
  it('follows a rate limit on Redis: another instance replays the first one\'s outcome, kept for ttlSeconds', async () => {
    const prefix = uniquePrefix('idem-plugin');
    const options: NexusAuthOptions = { rateLimit: { backend: 'redis', redisUrl: REDIS_URL!, redisKeyPrefix: uniquePrefix('rl') }, idempotency: { redisKeyPrefix: prefix, ttlSeconds: 3_600 } };
    const [a, b] = [await appWith(options), await appWith(options)];
    expect((await a.call('order-1')).ok).toBe(true);
    const retry = await b.call('order-1');
    expect(retry.ok && retry.value).toEqual({ run: 1 });
    expect(retry.annotations.idempotency).toEqual({ replayed: true });
    expect(a.runs.count + b.runs.count).toBe(1);
    const redis = new Redis(REDIS_URL!);
    try {
      const [key] = await redis.keys(`${prefix}*`);
      const ttl = await redis.pttl(key!);
      expect(ttl).toBeGreaterThan(3_000_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    } finally {
      redis.disconnect();
    }
    expect(await a.app.healthCheck()).toMatchObject({ checks: { idempotency: { status: 'healthy' } } });
  });
});

describe('idempotency with its Redis down', () => {
  let redis: OwnRedis;
  afterAll(() => redis?.stop());

  it('fail-open runs every call unmarked (never a replay); fail-closed refuses with UNAVAILABLE and runs nothing', async () => {
    redis = await OwnRedis.start();
    const url = redis.url;
    await redis.stop();
    const open = await appWith({ idempotency: { backend: 'redis', redisUrl: url, failOpen: true } });
    const first = await open.call('k');
    const second = await open.call('k');
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect([first.annotations.idempotency, second.annotations.idempotency]).toEqual([undefined, undefined]);
    expect(open.runs.count).toBe(2);
    expect(await open.app.healthCheck()).toMatchObject({ checks: { idempotency: { status: 'degraded' } } });

    // Following the rate limiter's setting when the option leaves it unset.
    const closed = await appWith({ rateLimit: { backend: 'redis', redisUrl: url, failOpen: false }, idempotency: {} });
    const refused = await closed.call('k');
    expect(!refused.ok && refused.error.code).toBe('UNAVAILABLE');
    expect(closed.runs.count).toBe(0);
    expect(await closed.app.healthCheck()).toMatchObject({ checks: { idempotency: { status: 'unhealthy' } } });
  });
});

describe('idempotency options', () => {
  it('are checked when the plugin is built', () => {
    expect(() => new NexusAuthPlugin({ idempotency: { backend: 'redis' } })).toThrow(/needs redisUrl/);
    expect(() => new NexusAuthPlugin({ idempotency: { ttl: 5 } as never })).toThrow(/unknown option "ttl"/);
    expect(() => new NexusAuthPlugin({ idempotency: { ttlSeconds: -1 } })).toThrow(/ttlSeconds/);
    expect(() => new NexusAuthPlugin({ idempotency: { redisUrl: 'http://x' } })).toThrow(/redisUrl/);
  });
});
