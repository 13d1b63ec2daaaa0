import { afterAll, describe, expect, it } from '@jest/globals';
import { NexusSetupError, isNexusSetupError } from '@nexus/core';
import type { InvocationResult, Nexus } from '@nexus/core';
import { createRateLimiter } from '../src/rate-limit/index.js';
import { createMemoryStore } from '../src/rate-limit/memory-store.js';
import type { RateLimitConfig, RateLimiterHandle } from '../src/rate-limit/index.js';
import { createTestApp, eventually, sharedRedisUrl, uniquePrefix } from './rate-limit-support.js';

const redisUrl = await sharedRedisUrl();
const backends = (redisUrl === undefined ? ['memory'] : ['memory', 'redis']) as Array<'memory' | 'redis'>;
const handles: RateLimiterHandle[] = [];
afterAll(async () => {
  await Promise.all(handles.map((handle) => handle.stop()));
});

/** A limiter on a fresh app, with a clock the test moves by hand on both backends. */
async function limitedApp(backend: 'memory' | 'redis', config: RateLimitConfig = {}) {
  const clock = { now: 1_750_000_000_000 };
  const app = createTestApp();
  const handle = createRateLimiter(
    { backend, ...(backend === 'redis' ? { redisUrl: redisUrl!, redisKeyPrefix: uniquePrefix('table') } : {}), ...config },
    app,
    { now: () => clock.now },
  );
  handles.push(handle);
  await handle.start();
  app.use('limit', handle.stage, 'rate-limit');
  return { app, clock };
}

const call = (app: Nexus, token = 'alice:acme', extra: { operation?: string; clientAddress?: string; requestedTenant?: string } = {}) =>
  app.invoke({
    channel: 'api',
    operation: extra.operation ?? 'ping',
    credential: token === '' ? { kind: 'none' } : { kind: 'bearer', token },
    ...(extra.clientAddress === undefined ? {} : { clientAddress: extra.clientAddress }),
    transport: {
      path: `/workflows/${extra.operation ?? 'ping'}/execute`,
      ...(extra.requestedTenant === undefined ? {} : { requestedTenant: extra.requestedTenant, headers: { 'x-tenant-id': extra.requestedTenant } }),
    },
  });

async function burst(app: Nexus, count: number, token?: string, extra?: Parameters<typeof call>[2]): Promise<string> {
  let decisions = '';
  for (let i = 0; i < count; i++) decisions += (await call(app, token, extra)).ok ? '+' : '-';
  return decisions;
}

const codeOf = (result: InvocationResult) => (result.ok ? 'OK' : result.error.code);

describe('rate-limit configuration', () => {
  const app = createTestApp();
  it.each<[string, RateLimitConfig]>([
    ['requestsPerMinute of 0', { requestsPerMinute: 0 }],
    ['negative requestsPerMinute', { requestsPerMinute: -5 }],
    ['negative burstSize', { burstSize: -1 }],
    ['redis without a URL', { backend: 'redis' }],
    ['an unknown backend', { backend: 'memcached' as 'memory' }],
    ['a snake_case option', { requests_per_minute: 10 } as RateLimitConfig],
    ['a route limit of 0', { routeLimits: { '/workflows/*': { requestsPerMinute: 0 } } }],
    ['a route glob without a leading slash', { routeLimits: { 'workflows/*': null } }],
    ['a non-boolean failOpen', { failOpen: 'yes' as unknown as boolean }],
    ['a redisCommandTimeoutMs of 0', { redisCommandTimeoutMs: 0 }],
  ])('refuses %s at construction with a setup error', (_label, config) => {
    let thrown: unknown;
    try {
      createRateLimiter(config, app);
    } catch (error) {
      thrown = error;
    }
    expect(isNexusSetupError(thrown)).toBe(true);
    expect((thrown as NexusSetupError).code).toBe('NEXUS_ERR_RATE_LIMIT_CONFIG');
  });
});

describe.each(backends)('token bucket on the %s backend', (backend) => {
  it('admits requestsPerMinute + burstSize at once, then refills at requestsPerMinute per minute, capped at capacity', async () => {
    // 6/min = one token every 10 s; capacity 8.
    const { app, clock } = await limitedApp(backend, { requestsPerMinute: 6, burstSize: 2 });
    const table: Array<[advanceMs: number, calls: number, expected: string]> = [
      [0, 9, '++++++++-'],
      [9_999, 1, '-'],
      [1, 2, '+-'],
      [25_000, 3, '++-'],
      [600_000, 9, '++++++++-'],
    ];
    for (const [advanceMs, calls, expected] of table) {
      clock.now += advanceMs;
      expect(await burst(app, calls)).toBe(expected);
    }
  });

  it('tells the caller its limit, remaining calls, reset time and retry time', async () => {
    const { app, clock } = await limitedApp(backend, { requestsPerMinute: 60, burstSize: 0 });
    const first = await call(app);
    expect(first.annotations.rateLimit).toMatchObject({ limit: 60, remaining: 59 });
    const resetIn = first.annotations.rateLimit!.reset - Date.now() / 1000;
    expect(resetIn).toBeGreaterThan(0);
    expect(resetIn).toBeLessThanOrEqual(2);
    await burst(app, 59);
    const refused = await call(app);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.ok ? undefined : refused.error.retryAfter).toBe(1);
    expect(refused.ok ? undefined : refused.error.toProblem().limit).toBe(60);
    expect(refused.annotations.rateLimit).toMatchObject({ limit: 60, remaining: 0 });
    clock.now += 30_500;
    expect(await burst(app, 31)).toBe(`${'+'.repeat(30)}-`);
  });

  it('keys on tenant + principal, and on client address when anonymous', async () => {
    const { app } = await limitedApp(backend, { requestsPerMinute: 2, burstSize: 0 });
    expect(await burst(app, 3, 'alice:acme')).toBe('++-');
    expect(await burst(app, 3, 'bob:acme')).toBe('++-');
    expect(await burst(app, 3, 'alice:globex')).toBe('++-');
    expect(await burst(app, 3, '', { clientAddress: '10.0.0.1' })).toBe('++-');
    expect(await burst(app, 3, '', { clientAddress: '10.0.0.2' })).toBe('++-');
    // An authenticated caller is not charged to the address it calls from.
    expect(await burst(app, 1, 'heidi:acme', { clientAddress: '10.0.0.1' })).toBe('+');
  });

  it('does not let a caller pick a fresh bucket through an unverified header', async () => {
    const { app } = await limitedApp(backend, { requestsPerMinute: 2, burstSize: 0 });
    expect(await burst(app, 2, 'carol:acme')).toBe('++');
    expect(await burst(app, 2, 'carol:acme', { requestedTenant: 'spoofed' })).toBe('--');
  });

  it("keys an administrator acting in other tenants on its own tenant: each override is no fresh bucket", async () => {
    const { app } = await limitedApp(backend, { requestsPerMinute: 3, burstSize: 0 });
    expect(await burst(app, 1, 'root:acme:super_admin', { requestedTenant: 'globex' })).toBe('+');
    expect(await burst(app, 1, 'root:acme:super_admin', { requestedTenant: 'initech' })).toBe('+');
    expect(await burst(app, 1, 'root:acme:super_admin')).toBe('+');
    expect(await burst(app, 1, 'root:acme:super_admin', { requestedTenant: 'umbrella' })).toBe('-');
    // Another principal of the same tenant keeps its own budget.
    expect(await burst(app, 1, 'bob:acme:super_admin', { requestedTenant: 'globex' })).toBe('+');
  });

  it('gives route limits their own bucket by the path of a native route, exempts null routes, and prefers exact paths over globs', async () => {
    const { app } = await limitedApp(backend, {
      requestsPerMinute: 3,
      burstSize: 0,
      routeLimits: { '/admin/*': { requestsPerMinute: 50 }, '/admin/stats': { requestsPerMinute: 1, burstSize: 1 }, '/admin/open/*': null },
    });
    const route = async (path: string, count: number) => {
      let decisions = '';
      for (let i = 0; i < count; i++) {
        decisions += (await app.dispatch({ purpose: 'route', channel: 'api', credential: { kind: 'bearer', token: 'dave:acme' }, transport: { method: 'GET', path }, route: () => 'ok' })).ok ? '+' : '-';
      }
      return decisions;
    };
    expect(await route('/admin/stats', 3)).toBe('++-');
    expect(await route('/admin/users', 4)).toBe('++++');
    const open = await app.dispatch({ purpose: 'route', channel: 'api', credential: { kind: 'bearer', token: 'dave:acme' }, transport: { path: '/admin/open/x' }, route: () => 'ok' });
    expect(open.ok).toBe(true);
    expect(open.annotations.rateLimit).toBeUndefined();
    // Operation calls spend their limit group's budget on every channel, whatever path they came by.
    const overHttp = await app.invoke({ channel: 'api', operation: 'echo', input: { message: 'x' }, credential: { kind: 'bearer', token: 'dave:acme' }, transport: { path: '/admin/stats' } });
    expect(overHttp.annotations.rateLimit).toMatchObject({ limit: 3 });
  });

  it('limits catalogue listings by their transport path and skips listings without one', async () => {
    const { app } = await limitedApp(backend, { requestsPerMinute: 1, burstSize: 0 });
    const list = (path?: string) =>
      app.dispatch({ purpose: 'list',  channel: 'api', credential: { kind: 'bearer', token: 'erin:acme' }, transport: path === undefined ? {} : { method: 'GET', path } });
    expect((await list('/workflows?page=1')).ok).toBe(true);
    const refused = await list('/workflows');
    expect(refused.ok ? 'OK' : refused.error.code).toBe('RATE_LIMITED');
    expect((await list()).ok).toBe(true);
  });

  it('refuses without publishing counters when includeHeaders is false', async () => {
    const { app } = await limitedApp(backend, { requestsPerMinute: 1, burstSize: 0, includeHeaders: false });
    const first = await call(app, 'frank:acme');
    expect(first.ok).toBe(true);
    expect(first.annotations.rateLimit).toBeUndefined();
    const refused = await call(app, 'frank:acme');
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.ok ? 0 : refused.error.retryAfter).toBeGreaterThanOrEqual(1);
  });
});

describe.each(backends)('wall-clock refill on the %s backend', (backend) => {
  it('admits again once a token has refilled', async () => {
    const app = createTestApp();
    const handle = createRateLimiter(
      { backend, requestsPerMinute: 600, burstSize: 0, ...(backend === 'redis' ? { redisUrl: redisUrl!, redisKeyPrefix: uniquePrefix('wall') } : {}) },
      app,
    );
    handles.push(handle);
    await handle.start();
    app.use('limit', handle.stage);
    // 600/min: capacity 10, one token per 100 ms.
    const first = await burst(app, 11);
    expect(first.slice(0, 10)).toBe('+'.repeat(10));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await burst(app, 1))).toBe('+');
  });
});

const describeRedis = redisUrl === undefined ? describe.skip : describe;
describeRedis('two instances sharing one Redis', () => {
  it('share one budget per key: a budget of 4 admits exactly 4 across both', async () => {
    const prefix = uniquePrefix('shared');
    const apps = [createTestApp(), createTestApp()].map((app) => {
      const handle = createRateLimiter({ backend: 'redis', redisUrl: redisUrl!, redisKeyPrefix: prefix, requestsPerMinute: 4, burstSize: 0 }, app);
      handles.push(handle);
      app.use('limit', handle.stage);
      return { app, handle };
    });
    await Promise.all(apps.map(({ handle }) => handle.start()));
    // start() does not fail on a slow connect (the client keeps trying); fail-open would then admit
    // calls uncounted, so the decisions below wait until both stores answer.
    await eventually(async () => (await Promise.all(apps.map(({ handle }) => handle.health()))).every((health) => health.status === 'healthy'));
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => call(apps[i % 2]!.app, 'grace:acme')));
    expect(results.filter((result) => result.ok)).toHaveLength(4);
    expect(results.filter((result) => codeOf(result) === 'RATE_LIMITED')).toHaveLength(6);
    expect(await Promise.all(apps.map(({ handle }) => handle.health()))).toEqual([
      expect.objectContaining({ status: 'healthy' }),
      expect.objectContaining({ status: 'healthy' }),
    ]);
  });
});

describe('memory backend under a flood of keys', () => {
  it('drops the oldest keys beyond its bound and keeps limiting recent ones', async () => {
    const store = createMemoryStore(() => 1_000);
    const spec = { capacity: 1, ratePerMs: 1 / 60_000 };
    expect((await store.take('oldest', spec)).allowed).toBe(true);
    expect((await store.take('oldest', spec)).allowed).toBe(false);
    for (let i = 0; i < 100_000; i++) await store.take(`flood-${i}`, spec);
    expect((await store.take('flood-99999', spec)).allowed).toBe(false);
    // Evicted: the oldest key starts over with a fresh bucket.
    expect((await store.take('oldest', spec)).allowed).toBe(true);
  });
});
