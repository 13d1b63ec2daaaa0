import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { z } from 'zod';
import { Nexus, UnauthenticatedError, silentLogger } from '@nexus/core';
import { startApi } from './http-driver.js';

// Native middleware runs in the channel at one defined point of every call: after the whole
// limit phase, before authorization. Core hands the context back; it never runs channel code.
const trace: string[] = [];
let app: Nexus;
let base: string;

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger, enableMonitoring: true });
  app.use('authenticate', async (ctx, next) => {
    if (ctx.credential.kind !== 'bearer') throw new UnauthenticatedError();
    return next({ principal: { id: ctx.credential.token, roles: [], permissions: [], claims: {} } });
  });
  app.authorize(() => void trace.push('authorize'));
  app.handler('op', { description: 'Traced.', input: z.object({}) }, () => {
    trace.push('handler');
    return { ok: true };
  });
  const router = express.Router().get('/here', (_req, res) => {
    trace.push('router');
    res.json({ here: true });
  });
  ({ base } = await startApi(app, { metrics: true }, (api) => {
    api.addMiddleware((req, _res, next) => {
      trace.push(`middleware:${req.nexus?.principal?.id ?? '-'}`);
      next();
    });
    api.addRouter('/custom', router);
  }));
  // Added after the channel: still before the middleware, which runs once the limit phase is over.
  app.use('limit', async (_ctx, next) => {
    trace.push('late-limit');
    return next();
  });
}, 30_000);
afterAll(() => app.stop());

const bearer = { authorization: 'Bearer u1' };

describe('native middleware at the admission point', () => {
  it('runs after every limit stage and before authorization on an execute call', async () => {
    trace.length = 0;
    const response = await fetch(`${base}/workflows/op/execute`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(200);
    expect(trace).toEqual(['late-limit', 'middleware:u1', 'authorize', 'handler']);
  });

  it('runs at the same point for the catalogue and custom routes', async () => {
    trace.length = 0;
    expect((await fetch(`${base}/workflows`, { headers: bearer })).status).toBe(200);
    expect(trace.slice(0, 2)).toEqual(['late-limit', 'middleware:u1']);
    trace.length = 0;
    expect((await fetch(`${base}/custom/here`, { headers: bearer })).status).toBe(200);
    expect(trace).toEqual(['late-limit', 'middleware:u1', 'router']);
  });

  it('does not run for a refused call', async () => {
    trace.length = 0;
    expect((await fetch(`${base}/workflows/op/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect(trace).toEqual([]);
  });
});
