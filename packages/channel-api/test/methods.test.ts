import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';

let app: Nexus;
let base: string;

beforeAll(async () => {
  app = createTestApp({ auth: true, nexus: { enableMonitoring: true } });
  ({ base } = await startApi(app));
});
afterAll(() => app.stop());

describe('a known path with the wrong method', () => {
  it.each([
    ['GET', '/workflows/echo/execute', 'POST'],
    ['PUT', '/workflows', 'GET, HEAD'],
    ['DELETE', '/workflows/echo', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
    ['POST', '/health/ready', 'GET, HEAD'],
    ['PATCH', '/openapi.json', 'GET, HEAD'],
    ['POST', '/metrics', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const response = await fetch(`${base}${path}`, { method, headers: { 'x-request-id': 'rid-405', authorization: `Bearer ${token('u1')}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-request-id')).toBe('rid-405');
    const problem = (await response.json()) as { status: number; detail: string };
    expect(problem.status).toBe(405);
    expect(problem.detail).toContain(allow.split(',')[0]!);
  });

  it('answers OPTIONS on a known path with 204 and Allow', async () => {
    const response = await fetch(`${base}/workflows/echo/execute`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('still answers 404 for a path no method serves', async () => {
    expect((await fetch(`${base}/workflows/echo/run`)).status).toBe(404);
    expect((await fetch(`${base}/nothing`, { method: 'DELETE' })).status).toBe(404);
  });
});
