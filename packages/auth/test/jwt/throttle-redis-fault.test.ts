import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Nexus } from '@nexus/core';
import { createAccessToken } from '../../src/index.js';
import { SECRET, appWith, call, reasonOf } from '../helpers.js';
import { OwnRedis, eventually, uniquePrefix } from '../rate-limit-support.js';

const good = createAccessToken({ subject: 'alice', key: SECRET });
// A token never verified before: the throttle lets it through even from a blocked address.
const unseen = createAccessToken({ subject: 'newcomer', key: SECRET });
const bad = createAccessToken({ subject: 'alice', key: `${SECRET}-wrong` });

let redis: OwnRedis;
let app: Nexus;
/** The same app, but whose Redis commands wait up to 10 s: a call that waited on one would take that long. */
let patient: Nexus;
const prefix = uniquePrefix('authfail-fault');
const LONG_COMMAND_TIMEOUT_MS = 10_000;

/** One call: the internal outcome ('ok', or the refusal's reason). */
async function outcome(target: Nexus, token: string, clientAddress: string): Promise<string> {
  const result = await call(target, token, { clientAddress });
  return result.ok ? 'ok' : (reasonOf(result) ?? result.error.code);
}

const options = (redisCommandTimeoutMs?: number) => ({
  jwt: { secret: SECRET },
  authFailureThrottle: { maxFailures: 3 },
  // The operation itself is unlimited, so the only Redis traffic is the throttle's own.
  rateLimit: {
    backend: 'redis' as const,
    redisUrl: redis.url,
    redisKeyPrefix: prefix,
    operationLimits: { whoami: null },
    ...(redisCommandTimeoutMs === undefined ? {} : { redisCommandTimeoutMs }),
  },
});

beforeAll(async () => {
  redis = await OwnRedis.start();
  app = appWith(options()).app;
  patient = appWith(options(LONG_COMMAND_TIMEOUT_MS)).app;
  await Promise.all([app.ready(), patient.ready()]);
}, 30_000);

afterAll(async () => {
  redis?.thaw();
  await Promise.all([app?.stop(), patient?.stop()]);
  await redis?.stop();
}, 30_000);

describe('the failure throttle while its Redis is down', () => {
  it('counts in Redis while it is up', async () => {
    expect(await outcome(app, bad, '10.9.0.1')).toBe('bad_signature');
    expect(await outcome(app, good, '10.9.0.1')).toBe('ok');
  });

  it('keeps accepting valid credentials without waiting on a Redis that does not answer', async () => {
    // Connected first, so the refusal below really waits on a command rather than failing fast.
    expect(await outcome(patient, bad, '10.9.1.98')).toBe('bad_signature');
    redis.freeze();
    let refusalSettled = false;
    let refusal: Promise<string> | undefined;
    try {
      // This refusal's command gets no answer until the thaw (or the 10 s timeout).
      refusal = outcome(patient, bad, '10.9.1.99').finally(() => {
        refusalSettled = true;
      });
      for (let i = 0; i < 20; i++) expect(await outcome(patient, good, `10.9.1.${i}`)).toBe('ok');
      // All 20 answered while a Redis command was still waiting: none of them waited on Redis.
      expect(refusalSettled).toBe(false);
    } finally {
      redis.thaw();
    }
    expect(await refusal).toBe('bad_signature');
  }, 30_000);

  it('bounds a refusal by the command timeout, then counts in memory', async () => {
    redis.freeze();
    try {
      // Settles while Redis is still frozen: only the command timeout can have ended its wait.
      expect(await outcome(app, bad, '10.9.1.100')).toBe('bad_signature');
    } finally {
      redis.thaw();
    }
  }, 30_000);

  it('keeps authenticating, and throttling in memory, once Redis is gone', async () => {
    await redis.stop();
    const address = '10.9.2.1';
    // Each refusal settles with Redis gone (bounded by the command timeout at worst).
    for (let i = 0; i < 3; i++) expect(await outcome(app, bad, address)).toBe('bad_signature');
    expect(await outcome(app, bad, address)).toBe('throttled');
    expect(await outcome(app, unseen, address)).toBe('ok');
    for (let i = 0; i < 20; i++) expect(await outcome(app, good, `10.9.3.${i}`)).toBe('ok');
  }, 30_000);

  it('counts and announces through Redis again once it is back, without a restart', async () => {
    await redis.start();
    const inspector = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await inspector.connect();
      // Both apps' subscriptions are back.
      await eventually(async () => (await inspector.pubsub('NUMSUB', `${prefix}authfail:blocked`))[1] === 2);
      await eventually(async () => {
        await outcome(app, bad, '10.9.4.1');
        return (await inspector.get(`${prefix}authfail:10.9.4.1`)) !== null;
      });
    } finally {
      inspector.disconnect();
    }
  }, 30_000);
});
