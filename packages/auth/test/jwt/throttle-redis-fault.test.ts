import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Nexus } from '@nexus/core';
import { createAccessToken } from '../../src/index.js';
import { SECRET, appWith, call, reasonOf } from '../helpers.js';
import { OwnRedis, eventually, uniquePrefix } from '../rate-limit-support.js';

const good = createAccessToken({ subject: 'alice', key: SECRET });
// A token never verified before: blocked addresses keep only callers whose tokens verified earlier.
const unseen = createAccessToken({ subject: 'newcomer', key: SECRET });
const bad = createAccessToken({ subject: 'alice', key: `${SECRET}-wrong` });

let redis: OwnRedis;
let app: Nexus;
const prefix = uniquePrefix('authfail-fault');

/** One call, timed: the internal outcome ('ok', or the refusal's reason) and how long the caller waited. */
async function timed(token: string, clientAddress: string): Promise<{ outcome: string; ms: number }> {
  const started = performance.now();
  const result = await call(app, token, { clientAddress });
  return { outcome: result.ok ? 'ok' : (reasonOf(result) ?? result.error.code), ms: performance.now() - started };
}

beforeAll(async () => {
  redis = await OwnRedis.start();
  app = appWith({
    jwt: { secret: SECRET },
    authFailureThrottle: { maxFailures: 3 },
    // The operation itself is unlimited, so every wait measured here is the throttle's own.
    rateLimit: { backend: 'redis', redisUrl: redis.url, redisKeyPrefix: prefix, routeLimits: { '/workflows/whoami/execute': null } },
  }).app;
  await app.ready();
}, 15_000);

afterAll(async () => {
  await app?.stop();
  await redis?.stop();
}, 15_000);

describe('the failure throttle while its Redis is down', () => {
  it('counts in Redis while it is up', async () => {
    expect((await timed(bad, '10.9.0.1')).outcome).toBe('bad_signature');
    expect((await timed(good, '10.9.0.1')).outcome).toBe('ok');
  });

  it('keeps accepting valid credentials without waiting on a Redis that does not answer', async () => {
    redis.freeze();
    try {
      for (let i = 0; i < 20; i++) {
        const accepted = await timed(good, `10.9.1.${i}`);
        expect(accepted.outcome).toBe('ok');
        expect(accepted.ms).toBeLessThan(200);
      }
      // A refusal waits at most for the command timeout, then counts in memory.
      const refused = await timed(bad, '10.9.1.99');
      expect(refused.outcome).toBe('bad_signature');
      expect(refused.ms).toBeLessThan(1_000);
    } finally {
      redis.thaw();
    }
  }, 15_000);

  it('keeps authenticating, and throttling in memory, once Redis is gone', async () => {
    await redis.stop();
    const address = '10.9.2.1';
    for (let i = 0; i < 3; i++) {
      const refused = await timed(bad, address);
      expect(refused.outcome).toBe('bad_signature');
      expect(refused.ms).toBeLessThan(1_000);
    }
    const throttled = await timed(unseen, address);
    expect(throttled.outcome).toBe('throttled');
    for (let i = 0; i < 20; i++) {
      const accepted = await timed(good, `10.9.3.${i}`);
      expect(accepted.outcome).toBe('ok');
      expect(accepted.ms).toBeLessThan(200);
    }
  }, 15_000);

  it('counts and announces through Redis again once it is back, without a restart', async () => {
    await redis.start();
    const inspector = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await inspector.connect();
      await eventually(async () => (await inspector.pubsub('NUMSUB', `${prefix}authfail:blocked`))[1] === 1, 5_000);
      await eventually(async () => {
        await timed(bad, '10.9.4.1');
        return (await inspector.get(`${prefix}authfail:10.9.4.1`)) !== null;
      }, 5_000);
    } finally {
      inspector.disconnect();
    }
  }, 15_000);
});
