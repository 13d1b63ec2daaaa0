import { describe, expect, it } from '@jest/globals';
import { NexusSetupError } from '@nexus/core';
import { requirePermission, requireRole } from '../src/index.js';
import type { ApiChannelOptions } from '../src/index.js';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';

async function contextVia(options: ApiChannelOptions, path: string, headers: Record<string, string>) {
  const app = createTestApp();
  const { base } = await startApi(app, options);
  try {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    return ((await response.json()) as { result: { credential: unknown; clientAddress: string } }).result;
  } finally {
    await app.stop();
  }
}

describe('credentials', () => {
  it('reads a cookie token only when a cookie name is configured', async () => {
    const cookie = { cookie: 'theme=dark; nexus_token=abc.def; other=1' };
    expect((await contextVia({}, '/workflows/context/execute', cookie)).credential).toEqual({ kind: 'none' });
    expect((await contextVia({ tokenCookie: 'nexus_token' }, '/workflows/context/execute', cookie)).credential).toEqual({ kind: 'bearer', token: 'abc.def' });
  });

  it('reads a query token only when a parameter name is configured', async () => {
    expect((await contextVia({}, '/workflows/context/execute?access_token=q1', {})).credential).toEqual({ kind: 'none' });
    expect((await contextVia({ tokenQueryParam: 'access_token' }, '/workflows/context/execute?access_token=q1', {})).credential).toEqual({ kind: 'bearer', token: 'q1' });
  });

  it('prefers the Authorization header', async () => {
    const result = await contextVia({ tokenCookie: 't' }, '/workflows/context/execute', { authorization: 'Bearer header', cookie: 't=cookie' });
    expect(result.credential).toEqual({ kind: 'bearer', token: 'header' });
  });
});

describe('client address', () => {
  const forwarded = { 'x-forwarded-for': '198.51.100.9, 203.0.113.7, 10.0.0.1' };

  it('is the socket address, ignoring X-Forwarded-For, without trusted proxies', async () => {
    expect((await contextVia({}, '/workflows/context/execute', forwarded)).clientAddress).toBe('127.0.0.1');
  });

  it('walks X-Forwarded-For from the right past trusted proxies only', async () => {
    expect((await contextVia({ trustProxy: ['loopback'] }, '/workflows/context/execute', forwarded)).clientAddress).toBe('10.0.0.1');
    expect((await contextVia({ trustProxy: ['loopback', '10.0.0.1'] }, '/workflows/context/execute', forwarded)).clientAddress).toBe('203.0.113.7');
  });

  it('ignores a forwarded chain whose next hop is not an address', async () => {
    expect((await contextVia({ trustProxy: ['127.0.0.1'] }, '/workflows/context/execute', { 'x-forwarded-for': 'evil, not-an-ip' })).clientAddress).toBe('127.0.0.1');
  });
});

describe('IETF rate-limit headers', () => {
  it('sends RateLimit and RateLimit-Policy instead of X-RateLimit-* when asked', async () => {
    const app = createTestApp({ auth: true });
    const { base } = await startApi(app, { rateLimitHeaders: 'ietf' });
    try {
      const response = await fetch(`${base}/workflows/echo/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token('u1')}` },
        body: '{"inputs":{"message":"x"}}',
      });
      expect(response.headers.get('ratelimit')).toMatch(/^limit=10, remaining=7, reset=\d+$/);
      expect(response.headers.get('ratelimit-policy')).toBe('10');
      expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    } finally {
      await app.stop();
    }
  });
});

describe('setup errors', () => {
  it('refuses guards without names and channels with a bad body limit', async () => {
    expect(() => requireRole()).toThrow(NexusSetupError);
    expect(() => requirePermission('')).toThrow(NexusSetupError);
    const { createApiChannel } = await import('../src/index.js');
    expect(() => createApiChannel({ bodyLimit: -1 })).toThrow(NexusSetupError);
  });
});
