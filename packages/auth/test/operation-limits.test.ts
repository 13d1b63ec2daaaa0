import { afterAll, describe, expect, it } from '@jest/globals';
import { isNexusSetupError } from '@nexus/core';
import type { Channel, Nexus } from '@nexus/core';
import { NexusAuthPlugin } from '../src/plugin.js';
import { createRateLimiter } from '../src/rate-limit/index.js';
import type { RateLimitConfig, RateLimiterHandle } from '../src/rate-limit/index.js';
import { createTestApp } from './rate-limit-support.js';
import { SECRET } from './helpers.js';

const handles: RateLimiterHandle[] = [];
afterAll(async () => {
  await Promise.all(handles.map((handle) => handle.stop()));
});

function limitedApp(config: RateLimitConfig): Nexus {
  const app = createTestApp();
  const handle = createRateLimiter(config, app);
  handles.push(handle);
  app.use('limit', handle.stage, 'rate-limit');
  return app;
}

const invoke = (app: Nexus, channel: string, operation: string, path?: string) =>
  app.invoke({
    channel,
    operation,
    input: operation === 'echo' ? { message: 'x' } : {},
    credential: { kind: 'bearer', token: 'alice:acme' },
    transport: path === undefined ? {} : { method: 'POST', path },
  });

async function burst(app: Nexus, count: number, channel: string, operation: string, path?: string): Promise<string> {
  let decisions = '';
  for (let i = 0; i < count; i++) decisions += (await invoke(app, channel, operation, path)).ok ? '+' : '-';
  return decisions;
}

describe('operationLimits: limits by operation name, on every channel', () => {
  it.each(['api', 'cli', 'mcp', 'ndjson'])('limits a matching operation called over %s, and leaves the others on the global budget', async (channel) => {
    const app = limitedApp({ requestsPerMinute: 100, operationLimits: { 'lim*': { requestsPerMinute: 2 } } });
    expect(await burst(app, 3, channel, 'limited', channel === 'api' ? '/workflows/limited/execute' : undefined)).toBe('++-');
    expect(await burst(app, 3, channel, 'ping')).toBe('+++');
  });

  it('shares one budget between the HTTP and MCP calls of the same caller', async () => {
    const app = limitedApp({ operationLimits: { limited: { requestsPerMinute: 1, burstSize: 1 } } });
    expect(await burst(app, 1, 'api', 'limited', '/workflows/limited/execute')).toBe('+');
    expect(await burst(app, 1, 'mcp', 'limited', '/mcp')).toBe('+');
    expect(await burst(app, 1, 'cli', 'limited')).toBe('-');
  });

  it('exempts an operation mapped to null, and prefers the most specific glob', async () => {
    const app = limitedApp({ requestsPerMinute: 1, burstSize: 0, operationLimits: { '*': { requestsPerMinute: 2 }, ping: null, 'ec*': { requestsPerMinute: 3 } } });
    expect(await burst(app, 5, 'mcp', 'ping')).toBe('+++++');
    expect(await burst(app, 4, 'mcp', 'echo')).toBe('+++-');
    expect(await burst(app, 3, 'mcp', 'limited')).toBe('++-');
  });

  it('takes precedence over a route limit on the same HTTP call', async () => {
    const app = limitedApp({ operationLimits: { limited: { requestsPerMinute: 1 } }, routeLimits: { '/workflows/*': { requestsPerMinute: 50 } } });
    expect(await burst(app, 2, 'api', 'limited', '/workflows/limited/execute')).toBe('+-');
  });

  it.each<[string, RateLimitConfig, RegExp]>([
    ['a path as an operation glob', { operationLimits: { '/workflows/*': null } }, /operationLimits key "\/workflows\/\*" is a path/],
    ['an empty operation glob', { operationLimits: { '': null } }, /operationLimits key/],
    ['a limit of 0', { operationLimits: { x: { requestsPerMinute: 0 } } }, /operationLimits\["x"\]\.requestsPerMinute/],
  ])('refuses %s at construction', (_label, config, message) => {
    expect(() => createRateLimiter(config, createTestApp())).toThrow(message);
  });
});

describe('routeLimits: native HTTP routes only', () => {
  it('limits a native route by the path it arrived on, and no operation call by its path on any channel', async () => {
    const app = limitedApp({ requestsPerMinute: 100, routeLimits: { '/admin/*': { requestsPerMinute: 1 }, '/workflows/limited/execute': { requestsPerMinute: 1 } } });
    const route = () => app.dispatch({ purpose: 'route', channel: 'api', credential: { kind: 'bearer', token: 'alice:acme' }, transport: { path: '/admin/stats' }, route: () => 'ok' });
    expect((await route()).ok).toBe(true);
    expect((await route()).ok).toBe(false);
    expect(await burst(app, 2, 'api', 'limited', '/workflows/limited/execute')).toBe('++');
    expect(await burst(app, 2, 'cli', 'limited')).toBe('++');
  });
});

/** A stand-in HTTP channel that reports the routes it would mount. */
function routedChannel(routes: readonly string[]): Channel {
  return { name: 'http-like', routes: () => routes, start: async () => {}, stop: async () => {} };
}

function appWithRouteLimits(routeLimits: RateLimitConfig['routeLimits'], routes: readonly string[]): Nexus {
  const app = createTestApp();
  app.addPlugin(NexusAuthPlugin.enterprise({ jwt: { secret: SECRET }, rbac: { admin: ['*'] }, audit: { backend: () => {} }, rateLimit: { ...(routeLimits === undefined ? {} : { routeLimits }) } }));
  app.addChannel(routedChannel(routes));
  return app;
}

describe('routeLimits keys are checked against the served paths at start-up', () => {
  const served = ['/health', '/workflows', '/workflows/echo/execute', '/admin/*'];
  it('refuses to start when a key matches no served path, naming the key and the paths that exist', async () => {
    const app = appWithRouteLimits({ '/api/workflows/*': { requestsPerMinute: 1000 }, '/health': null }, served);
    let thrown: unknown;
    try {
      await app.start();
    } catch (error) {
      thrown = error;
    } finally {
      await app.stop();
    }
    expect(isNexusSetupError(thrown)).toBe(true);
    const message = (thrown as Error).message;
    expect(message).toContain('"/api/workflows/*"');
    for (const path of served) expect(message).toContain(path);
  });

  it('starts when every key matches a served path, an operation path, or lies under a mounted router', async () => {
    const app = appWithRouteLimits({ '/workflows/*': { requestsPerMinute: 10 }, '/health': null, '/admin/stats': { requestsPerMinute: 1 } }, served);
    try {
      await app.start();
    } finally {
      await app.stop();
    }
  });
});
