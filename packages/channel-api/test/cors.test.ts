import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';

const ORIGIN = 'https://app.example.com';
let app: Nexus;
let base: string;
let plainApp: Nexus;
let plainBase: string;

beforeAll(async () => {
  app = createTestApp({ auth: true });
  ({ base } = await startApi(app, { cors: { origins: [ORIGIN], credentials: true } }));
  plainApp = createTestApp({ auth: true });
  ({ base: plainBase } = await startApi(plainApp));
});
afterAll(async () => {
  await app.stop();
  await plainApp.stop();
});

const preflight = (url: string, origin: string) =>
  fetch(`${url}/workflows/echo/execute`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-request-id' },
  });

describe('CORS on the API listener', () => {
  it('answers a preflight from an allowed origin', async () => {
    const response = await preflight(base, ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
  });

  it('exposes the headers a browser client needs on the actual call, errors included', async () => {
    const ok = await fetch(`${base}/workflows/echo/execute`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${token('u1')}` },
      body: '{"inputs":{"message":"hi"}}',
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const exposed = (ok.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/,\s*/);
    for (const header of ['www-authenticate', 'x-request-id', 'mcp-session-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after']) {
      expect(exposed).toContain(header);
    }
    const refused = await fetch(`${base}/workflows`, { headers: { origin: ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('grants nothing to another origin', async () => {
    const response = await preflight(base, 'https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const call = await fetch(`${base}/health`, { headers: { origin: 'https://evil.example' } });
    expect(call.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off by default', async () => {
    const response = await preflight(plainBase, ORIGIN);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const call = await fetch(`${plainBase}/health`, { headers: { origin: ORIGIN } });
    expect(call.headers.get('access-control-allow-origin')).toBeNull();
  });
});
