import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createRateLimiter } from '../src/rate-limit/index.js';
import type { RateLimiterHandle } from '../src/rate-limit/index.js';
import { OwnRedis, createTestApp, eventually, uniquePrefix } from './rate-limit-support.js';

interface Limited {
  readonly app: Nexus;
  readonly handle: RateLimiterHandle;
}

let redis: OwnRedis;
let open: Limited;
let closed: Limited;

function limited(failOpen: boolean): Limited {
  const app = createTestApp();
  const handle = createRateLimiter(
    { backend: 'redis', redisUrl: redis.url, redisKeyPrefix: uniquePrefix('fault'), requestsPerMinute: 2, burstSize: 0, failOpen },
    app,
  );
  app.use('limit', handle.stage);
  return { app, handle };
}

/** One call's decision. */
async function decide({ app }: Limited, user = 'ivan:acme'): Promise<string> {
  const result = await app.invoke({ channel: 'api', operation: 'ping', credential: { kind: 'bearer', token: user } });
  return result.ok ? 'OK' : result.error.code;
}

const storeErrors = async (app: Nexus) => (await app.metrics.rateLimitStoreErrors.get()).values[0]?.value ?? 0;

beforeAll(async () => {
  redis = await OwnRedis.start();
  open = limited(true);
  closed = limited(false);
  await Promise.all([open.handle.start(), closed.handle.start()]);
}, 30_000);

afterAll(async () => {
  await Promise.all([open?.handle.stop(), closed?.handle.stop()]);
  await redis?.stop();
}, 30_000);

describe('a Redis outage and recovery on a server of our own', () => {
  it('limits while Redis is up', async () => {
    for (const target of [open, closed]) {
      expect(await decide(target)).toBe('OK');
      expect(await decide(target)).toBe('OK');
      expect(await decide(target)).toBe('RATE_LIMITED');
      expect(await target.handle.health()).toMatchObject({ status: 'healthy' });
    }
  });

  it('bounds the wait on a Redis that accepts connections but does not answer', async () => {
    redis.freeze();
    try {
      // Both settle while Redis is still frozen: only the command timeout can have ended the wait.
      expect(await decide(open)).toBe('OK');
      expect(await decide(closed)).toBe('UNAVAILABLE');
    } finally {
      redis.thaw();
    }
    expect(await storeErrors(open.app)).toBe(1);
    // Late replies to timed-out commands must not shift later replies onto the wrong call.
    await eventually(async () => (await open.handle.health()).status === 'healthy');
    expect(await decide(open, 'ken:acme')).toBe('OK');
    expect(await decide(open, 'ken:acme')).toBe('OK');
    expect(await decide(open, 'ken:acme')).toBe('RATE_LIMITED');
  }, 30_000);

  it('never reports a store failure as a quota error, and never hangs', async () => {
    await redis.stop();
    // The first calls may hit a socket that has not noticed yet; the command timeout bounds them.
    for (let i = 0; i < 5; i++) {
      expect(await decide(open)).toBe('OK');
      expect(await decide(closed)).toBe('UNAVAILABLE');
    }
    expect(await storeErrors(open.app)).toBe(6);
    expect(await storeErrors(closed.app)).toBe(6);
  }, 30_000);

  it('reports the store as degraded while it is down, unhealthy when calls are refused meanwhile', async () => {
    expect(await open.handle.health()).toMatchObject({ status: 'degraded' });
    expect(await closed.handle.health()).toMatchObject({ status: 'unhealthy' });
  });

  it('resumes limiting without a restart once Redis is back', async () => {
    await redis.start();
    await eventually(async () => (await open.handle.health()).status === 'healthy' && (await closed.handle.health()).status === 'healthy');
    for (const target of [open, closed]) {
      const user = 'judy:acme';
      expect(await decide(target, user)).toBe('OK');
      expect(await decide(target, user)).toBe('OK');
      expect(await decide(target, user)).toBe('RATE_LIMITED');
    }
  }, 30_000);
});
