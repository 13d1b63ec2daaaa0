import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import express from 'express';
import type { RequestHandler } from 'express';
import { ForbiddenError } from '@nexus/core';
import type { Nexus } from '@nexus/core';
import { requirePermission, requireRole } from '../src/index.js';
import type { NexusRequestInfo } from '../src/index.js';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';

// The patterns document's ABAC example, as written there: business hours for /api/sensitive*.
const abac: RequestHandler = (req, res, next) => {
  const currentHour = new Date().getHours();
  if (req.path.startsWith('/api/sensitive')) {
    if (!(9 <= currentHour && currentHour <= 17)) {
      res.status(403).json({ error: 'Access restricted to business hours' });
      return;
    }
  }
  next();
};

let app: Nexus;
let base: string;
const seen: NexusRequestInfo[] = [];
let handlerRuns = 0;
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
const execute = (name: string, headers: Record<string, string>, inputs: unknown = {}) =>
  fetch(`${base}/workflows/${name}/execute`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ inputs }) });

function atHour(hour: number): void {
  jest.useFakeTimers({
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    now: new Date(2026, 0, 5, hour, 30),
  });
}

beforeAll(async () => {
  app = createTestApp({ auth: true, nexus: { enableMonitoring: true } });
  app.handler('counted', { description: 'Counts runs.', input: (await import('zod')).z.object({}) }, () => ({ runs: ++handlerRuns }));
  const router = express.Router();
  router.get('/sensitive/report', requireRole('analyst'), (req, res) => {
    res.json({ report: 'q3', who: req.nexus?.principal?.id, tenant: req.nexus?.tenant?.id });
  });
  router.get('/reports', requirePermission('read:reports'), (_req, res) => {
    res.json({ reports: [] });
  });
  router.get('/crash', () => {
    throw new Error('db password=swordfish');
  });
  ({ base } = await startApi(app, {}, (api) => {
    api.addMiddleware(abac);
    api.addMiddleware((req, _res, next) => {
      if (req.nexus) seen.push(req.nexus);
      next();
    });
    api.addMiddleware((req, res, next) => {
      if (req.headers['x-deny'] === 'json') return void res.status(403).json({ error: 'policy' });
      if (req.headers['x-deny'] === 'error') return next(new ForbiddenError('Refused by policy.'));
      if (req.headers['x-deny'] === 'throw') throw new Error('middleware secret');
      if (req.headers['x-deny'] === 'ok') return void res.status(202).json({ accepted: true });
      next();
    });
    api.addRouter('/api', router);
  }));
});
afterEach(() => {
  jest.useRealTimers();
});
afterAll(() => app.stop());

describe('native middleware', () => {
  it('runs after authentication and tenant resolution and reads req.nexus', async () => {
    seen.length = 0;
    const response = await execute('echo', { ...bearer(token('u9', ['*'], [], 'acme')), 'x-request-id': 'mw-1' }, { message: 'x' });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ requestId: 'mw-1', principal: { id: 'u9' }, tenant: { id: 'acme' } });
  });

  it('does not run for callers the pipeline refused', async () => {
    seen.length = 0;
    expect((await execute('echo', bearer('bad'), { message: 'x' })).status).toBe(401);
    expect(seen).toHaveLength(0);
  });

  it('answers with its own response once, and the operation does not run', async () => {
    const before = handlerRuns;
    const response = await execute('counted', { ...bearer(token('u1')), 'x-deny': 'json', 'x-request-id': 'mw-2' });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'policy' });
    expect(response.headers.get('x-request-id')).toBe('mw-2');
    expect(handlerRuns).toBe(before);
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/nexus_requests_total\{channel="api",operation="counted",outcome="denied"\} 1/);
  });

  it('behaves the same on URLs Express routes (trailing slash, encoded name)', async () => {
    for (const path of ['/workflows/counted/execute/', '/workflows/c%6Funted/execute']) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token('u1')), 'x-deny': 'json' },
        body: '{}',
      });
      expect([path, response.status]).toEqual([path, 403]);
      expect(await response.json()).toEqual({ error: 'policy' });
    }
    const passed = await fetch(`${base}/workflows/c%6Funted/execute`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token('u1')) }, body: '{}' });
    expect(passed.status).toBe(200);
  });

  it('may answer a success itself', async () => {
    const response = await execute('counted', { ...bearer(token('u1')), 'x-deny': 'ok' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
  });

  it('renders errors passed to next() as problem+json, hiding foreign ones', async () => {
    const refused = await execute('counted', { ...bearer(token('u1')), 'x-deny': 'error' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN', detail: 'Refused by policy.' });
    const thrown = await execute('counted', { ...bearer(token('u1')), 'x-deny': 'throw' });
    expect(thrown.status).toBe(500);
    expect(await thrown.text()).not.toContain('middleware secret');
  });

  it('applies the ABAC business-hours policy to /api/sensitive* outside 9-17', async () => {
    const headers = bearer(token('u1', ['*'], ['analyst']));
    atHour(20);
    const closed = await get('/api/sensitive/report', headers);
    expect(closed.status).toBe(403);
    expect(await closed.json()).toEqual({ error: 'Access restricted to business hours' });
    atHour(10);
    const open = await get('/api/sensitive/report', headers);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ report: 'q3', who: 'u1', tenant: 't1' });
  });

  it('leaves other paths alone outside business hours', async () => {
    atHour(3);
    expect((await execute('echo', bearer(token('u1')), { message: 'night' })).status).toBe(200);
  });
});

describe('custom routers', () => {
  it('refuses anonymous callers through the pipeline', async () => {
    const response = await get('/api/reports');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('guards routes with requireRole', async () => {
    atHour(12);
    const response = await get('/api/sensitive/report', bearer(token('u1', ['*'], ['viewer'])));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('guards routes with requirePermission, decided by the app authorizers', async () => {
    expect((await get('/api/reports', bearer(token('u1', ['read:reports'])))).status).toBe(200);
    const refused = await get('/api/reports', bearer(token('u1', ['read:other'])));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('sends the pipeline headers on custom routes', async () => {
    const response = await get('/api/reports', { ...bearer(token('u1')), 'x-request-id': 'custom-1' });
    expect(response.headers.get('x-request-id')).toBe('custom-1');
    expect(response.headers.get('x-ratelimit-limit')).toBe('10');
    expect(response.headers.get('x-tenant-id')).toBe('t1');
  });

  it('answers unknown paths under a router with 404 problem+json and hides crashes', async () => {
    const missing = await get('/api/nothing-here', bearer(token('u1')));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    const crash = await get('/api/crash', bearer(token('u1')));
    expect(crash.status).toBe(500);
    expect(await crash.text()).not.toContain('swordfish');
  });
});
