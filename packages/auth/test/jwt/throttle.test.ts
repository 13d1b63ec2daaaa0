import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Nexus } from '@nexus/core';
import { silentLogger } from '@nexus/core';
import { createAccessToken } from '../../src/index.js';
import { AuthFailureThrottle } from '../../src/jwt/throttle.js';
import { SECRET, appWith, call, reasonOf } from '../helpers.js';
import { eventually, sharedRedisUrl, uniquePrefix } from '../rate-limit-support.js';

const good = createAccessToken({ subject: 'alice', key: SECRET });
const bad = createAccessToken({ subject: 'alice', key: `${SECRET}-wrong` });
// Tokens never seen before: a verifying credential passes even from a blocked address, whether cached or not.
let probes = 0;
const fresh = () => createAccessToken({ subject: `probe-${++probes}`, key: SECRET });
const codeOf = (result: Awaited<ReturnType<typeof call>>) => (result.ok ? 'OK' : result.error.code);

describe('the failure throttle in memory', () => {
  it('blocks an address once it has spent its failures, until the window ends', async () => {
    const throttle = new AuthFailureThrottle({ maxFailures: 2, windowSeconds: 1 });
    await throttle.fail('10.0.0.1');
    expect(throttle.blockedFor('10.0.0.1')).toBe(0);
    await throttle.fail('10.0.0.1');
    expect(throttle.blockedFor('10.0.0.1')).toBe(1);
    expect(throttle.blockedFor('10.0.0.2')).toBe(0);
    await eventually(() => throttle.blockedFor('10.0.0.1') === 0);
    // A new window starts from zero.
    await throttle.fail('10.0.0.1');
    expect(throttle.blockedFor('10.0.0.1')).toBe(0);
  });

  it('forgets the oldest addresses beyond maxAddresses, counts and blocks alike', async () => {
    const throttle = new AuthFailureThrottle({ maxFailures: 2, maxAddresses: 2 });
    await throttle.fail('a');
    await throttle.fail('a');
    await throttle.fail('b');
    expect(throttle.blockedFor('a')).toBeGreaterThan(0);
    await throttle.fail('c');
    expect(throttle.blockedFor('a')).toBe(0);
    // b's count survived the eviction of a; its second failure blocks it.
    await throttle.fail('b');
    expect(throttle.blockedFor('b')).toBeGreaterThan(0);
    // a starts over: one failure is not enough.
    await throttle.fail('a');
    expect(throttle.blockedFor('a')).toBe(0);
  });
});

const redisUrl = await sharedRedisUrl();
const describeWithRedis = redisUrl === undefined ? describe.skip : describe;

describeWithRedis('the failure throttle shared through Redis', () => {
  const apps: Nexus[] = [];
  const prefix = uniquePrefix('authfail');
  const pair = () => {
    const options = {
      jwt: { secret: SECRET },
      authFailureThrottle: { maxFailures: 3, windowSeconds: 60 },
      rateLimit: { backend: 'redis' as const, redisUrl: redisUrl!, redisKeyPrefix: prefix },
    };
    const [a, b] = [appWith(options).app, appWith(options).app];
    apps.push(a, b);
    return Promise.all([a.ready(), b.ready()]).then(() => [a, b] as const);
  };

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
  });

  it('blocks on instance B an address that spent its failures on instance A, for failing credentials only', async () => {
    const [a, b] = await pair();
    const address = '198.51.100.7';
    for (let i = 0; i < 3; i++) expect(reasonOf(await call(a, bad, { clientAddress: address }))).toBe('bad_signature');
    expect(reasonOf(await call(a, bad, { clientAddress: address }))).toBe('throttled');
    expect(codeOf(await call(a, good, { clientAddress: address }))).toBe('OK');
    // B never saw a failure from it: the block reaches it from A.
    await eventually(async () => reasonOf(await call(b, bad, { clientAddress: address })) === 'throttled');
    const refused = await call(b, bad, { clientAddress: address });
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(!refused.ok && refused.error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(codeOf(await call(b, fresh(), { clientAddress: address }))).toBe('OK');
    expect(reasonOf(await call(b, bad, { clientAddress: '198.51.100.8' }))).toBe('bad_signature');
  });

  it('adds up the failures both instances see, in one counter under the configured prefix', async () => {
    const [a, b] = await pair();
    const address = '2001:db8::42';
    expect(reasonOf(await call(a, bad, { clientAddress: address }))).toBe('bad_signature');
    expect(reasonOf(await call(b, bad, { clientAddress: address }))).toBe('bad_signature');
    expect(codeOf(await call(a, good, { clientAddress: address }))).toBe('OK');
    expect(reasonOf(await call(b, bad, { clientAddress: address }))).toBe('bad_signature');
    expect(reasonOf(await call(b, bad, { clientAddress: address }))).toBe('throttled');
    expect(codeOf(await call(b, good, { clientAddress: address }))).toBe('OK');

    const inspector = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await inspector.connect();
      const key = `${prefix}authfail:${address}`;
      expect(await inspector.get(key)).toBe('3');
      const ttl = await inspector.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    } finally {
      inspector.disconnect();
    }
    // A hears of the block from B (a failure it counts itself before that blocks it as well).
    await eventually(async () => reasonOf(await call(a, bad, { clientAddress: address })) === 'throttled');
  });

  it('ignores malformed block announcements on the channel', async () => {
    const throttle = new AuthFailureThrottle({ maxFailures: 3 }, { redisUrl: redisUrl!, keyPrefix: `${prefix}direct`, commandTimeoutMs: 250, logger: silentLogger });
    const publisher = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await Promise.all([throttle.start(), publisher.connect()]);
      await eventually(async () => (await publisher.pubsub('NUMSUB', `${prefix}direct:blocked`))[1] === 1);
      for (const message of ['nonsense', ' 10.0.0.9', '-5 10.0.0.9', `1000 ${'x'.repeat(300)}`]) await publisher.publish(`${prefix}direct:blocked`, message);
      await publisher.publish(`${prefix}direct:blocked`, '5000 10.0.0.10');
      await eventually(() => throttle.blockedFor('10.0.0.10') > 0);
      expect(throttle.blockedFor('10.0.0.9')).toBe(0);
      expect(throttle.blockedFor('10.0.0.10')).toBeLessThanOrEqual(5);
    } finally {
      publisher.disconnect();
      await throttle.stop();
    }
  });
});
