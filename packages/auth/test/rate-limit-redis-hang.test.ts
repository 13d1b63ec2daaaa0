import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createRateLimiter } from '../src/rate-limit/index.js';
import type { RateLimiterHandle } from '../src/rate-limit/index.js';
import { OwnRedis, createTestApp, eventually, uniquePrefix } from './rate-limit-support.js';

const TIMEOUT_MS = 300;
// A referee timer started with each call: a call bounded by its own timeout settles first, since
// its deadline timer was armed earlier and is shorter. A call queued behind another pipeline's
// timeout (0.1's auto-pipelining) settles only after about twice the timeout, after the referee.
const REFEREE_MS = TIMEOUT_MS * 1.5;

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
    { backend: 'redis', redisUrl: redis.url, redisKeyPrefix: uniquePrefix('hang'), requestsPerMinute: 6_000, burstSize: 1_000, failOpen, redisCommandTimeoutMs: TIMEOUT_MS },
    app,
  );
  app.use('limit', handle.stage);
  app.addHealthCheck('rate-limit', handle.health);
  return { app, handle };
}

/** Whether `work` settled before a referee timer armed right after it started. */
function beatsReferee<T>(work: () => Promise<T>, refereeMs: number): Promise<{ first: 'work' | 'referee'; value?: T }> {
  return new Promise((resolve) => {
    let done = false;
    void work().then((value) => {
      if (!done) resolve({ first: 'work', value });
      done = true;
    });
    setTimeout(() => {
      if (!done) resolve({ first: 'referee' });
      done = true;
    }, refereeMs);
  });
}

const call = ({ app }: Limited, user: string) => app.invoke({ channel: 'api', operation: 'ping', credential: { kind: 'bearer', token: `${user}:acme` } });
const tick = () => new Promise((resolve) => setImmediate(resolve));

beforeAll(async () => {
  redis = await OwnRedis.start();
  open = limited(true);
  closed = limited(false);
  await Promise.all([open.handle.start(), closed.handle.start()]);
  // Warm both clients (script loaded, connection ready) while Redis answers.
  expect((await call(open, 'warm')).ok).toBe(true);
  expect((await call(closed, 'warm')).ok).toBe(true);
}, 15_000);

afterAll(async () => {
  redis?.thaw();
  await Promise.all([open?.handle.stop(), closed?.handle.stop()]);
  await redis?.stop();
}, 15_000);

describe('a Redis that stops answering (SIGSTOP)', () => {
  it('bounds every call by its own timeout, however many are in flight', async () => {
    redis.freeze();
    try {
      const waves: Promise<{ first: string; value?: Awaited<ReturnType<typeof call>> }>[] = [];
      // Waves in separate event-loop turns: each would be its own auto-pipeline, queued behind the last.
      for (let wave = 0; wave < 4; wave++) {
        for (let i = 0; i < 10; i++) {
          waves.push(beatsReferee(() => call(open, `u${wave}-${i}`), REFEREE_MS));
          waves.push(beatsReferee(() => call(closed, `u${wave}-${i}`), REFEREE_MS));
        }
        await tick();
      }
      const outcomes = await Promise.all(waves);
      expect(outcomes.map((outcome) => outcome.first)).toEqual(Array(outcomes.length).fill('work'));
      const codes = new Set(outcomes.map((outcome) => (outcome.value?.ok ? 'OK' : outcome.value?.error.code)));
      expect(codes).toEqual(new Set(['OK', 'UNAVAILABLE']));
    } finally {
      redis.thaw();
    }
  }, 20_000);

  it('answers health checks within 1 s: degraded when failing open, unhealthy (so /health is 503) when failing closed', async () => {
    await eventually(async () => (await open.handle.health()).status === 'healthy');
    redis.freeze();
    try {
      // Calls queued on the hung connection must not hold the health check up.
      const load = Array.from({ length: 20 }, (_, i) => call(open, `h${i}`));
      const [openReport, closedReport] = await Promise.all([
        beatsReferee(() => open.app.healthCheck(), 1_000),
        beatsReferee(() => closed.app.healthCheck(), 1_000),
      ]);
      expect(openReport.first).toBe('work');
      expect(closedReport.first).toBe('work');
      expect(openReport.value?.checks['rate-limit']).toMatchObject({ status: 'degraded' });
      expect(openReport.value?.status).toBe('degraded');
      expect(closedReport.value?.checks['rate-limit']).toMatchObject({ status: 'unhealthy' });
      expect(closedReport.value?.status).toBe('unhealthy');
      await Promise.all(load);
    } finally {
      redis.thaw();
    }
    await eventually(async () => (await closed.app.healthCheck()).status === 'healthy');
  }, 20_000);
});
