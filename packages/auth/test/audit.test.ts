import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createAuditor } from '../src/audit/index.js';
import type { AuditConfig, AuditRecord } from '../src/audit/index.js';
import { createRateLimiter } from '../src/rate-limit/index.js';
import { createTestApp } from './rate-limit-support.js';

/** An app with audit (collecting records through a function sink) and a 1-call limit on `limited`. */
function auditedApp(config: AuditConfig = {}) {
  const records: AuditRecord[] = [];
  const app = createTestApp();
  const auditor = createAuditor({ backend: (record) => void records.push(record), ...config }, app);
  app.use('observe', auditor.stage, 'audit');
  const limiter = createRateLimiter({ requestsPerMinute: 100, operationLimits: { limited: { requestsPerMinute: 1 } } }, app);
  app.use('limit', limiter.stage, 'rate-limit');
  return { app, auditor, records };
}

const bearer = (token: string) => ({ kind: 'bearer' as const, token });

describe('audit records', () => {
  it('writes one record per invocation with the decision, for success and every refusal', async () => {
    const { app, records } = auditedApp();
    const controller = new AbortController();
    const calls = [
      app.invoke({ channel: 'api', operation: 'ping', credential: bearer('alice:acme:caller'), requestId: 'req-ok', clientAddress: '10.1.1.1', transport: { method: 'POST', path: '/workflows/ping/execute' } }),
      app.invoke({ channel: 'mcp', operation: 'ping', credential: bearer('expired'), requestId: 'req-401' }),
      app.invoke({ channel: 'cli', operation: 'admin_only', credential: bearer('bob:acme:caller'), requestId: 'req-403' }),
      app.invoke({ channel: 'api', operation: 'echo', input: { message: 42 }, credential: bearer('bob:acme'), requestId: 'req-400' }),
      app.invoke({ channel: 'api', operation: 'explode', credential: bearer('bob:acme'), requestId: 'req-500' }),
      app.invoke({ channel: 'api', operation: 'wait', credential: bearer('bob:acme'), requestId: 'req-499', signal: controller.signal }),
    ];
    // The wait call is under way; it ends only by this cancel (its 5 s deadline aside).
    controller.abort();
    await Promise.all(calls);
    await app.invoke({ channel: 'api', operation: 'limited', credential: bearer('carol:acme'), requestId: 'req-200b' });
    const limited = await app.invoke({ channel: 'api', operation: 'limited', credential: bearer('carol:acme') });
    expect(records).toHaveLength(8);
    const byId = new Map(records.map((record) => [record.requestId, record]));

    expect(byId.get('req-ok')).toMatchObject({
      channel: 'api', operation: 'ping', method: 'POST', path: '/workflows/ping/execute', status: 200, outcome: 'allowed',
      reason: null, principal: 'alice', roles: ['caller'], tenant: 'acme', tenantOverride: false, clientAddress: '10.1.1.1',
    });
    expect(byId.get('req-ok')!.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(byId.get('req-ok')!.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(byId.get('req-401')).toMatchObject({ channel: 'mcp', status: 401, outcome: 'denied', reason: 'expired', principal: null });
    expect(byId.get('req-403')).toMatchObject({ channel: 'cli', status: 403, outcome: 'denied', reason: 'missing_permission', principal: 'bob' });
    expect(byId.get('req-400')).toMatchObject({ status: 400, outcome: 'invalid', reason: 'invalid_input' });
    expect(byId.get('req-500')).toMatchObject({ status: 500, outcome: 'error', reason: 'internal' });
    expect(byId.get('req-499')).toMatchObject({ status: 499, outcome: 'error', reason: 'cancelled' });
    expect(byId.get(limited.requestId)).toMatchObject({ status: 429, outcome: 'rate_limited', reason: 'quota', principal: 'carol' });
    expect(JSON.stringify(records)).not.toContain('hunter2');
  });

  it('stamps the request id the caller saw, generated or given', async () => {
    const { app, records } = auditedApp();
    const generated = await app.invoke({ channel: 'api', operation: 'ping' });
    await app.invoke({ channel: 'api', operation: 'ping', requestId: 'abc-123' });
    expect(records.map((record) => record.requestId)).toEqual([generated.requestId, 'abc-123']);
  });

  it('marks a tenant override and keeps the requested tenant, also when refused', async () => {
    const { app, records } = auditedApp();
    await app.invoke({ channel: 'api', operation: 'ping', credential: bearer('root:acme:super_admin'), transport: { requestedTenant: 'globex' } });
    await app.invoke({ channel: 'api', operation: 'ping', credential: bearer('dan:acme:caller'), transport: { requestedTenant: 'globex' } });
    expect(records[0]).toMatchObject({ tenant: 'globex', tenantOverride: true, requestedTenant: 'globex' });
    expect(records[1]).toMatchObject({ tenant: 'acme', tenantOverride: false, requestedTenant: 'globex' });
  });

  it('audits catalogue listings too', async () => {
    const { app, records } = auditedApp();
    await app.dispatch({ purpose: 'list',  channel: 'api', credential: bearer('erin:acme'), transport: { method: 'GET', path: '/workflows' } });
    expect(records[0]).toMatchObject({ operation: '$list', path: '/workflows', status: 200, principal: 'erin' });
  });

  it('skips the native routes of excludePaths, and operations declaring audit: false on every channel', async () => {
    const { app, records } = auditedApp({ excludePaths: ['/status'] });
    app.handler('quiet', { description: 'Not audited', input: z.object({}), audit: false }, () => ({}));
    await app.dispatch({ purpose: 'route', channel: 'api', transport: { path: '/status' }, route: () => 'ok' });
    for (const channel of ['api', 'mcp', 'cli']) await app.invoke({ channel, operation: 'quiet' });
    await app.invoke({ channel: 'cli', operation: 'echo', input: { message: 'x' } });
    expect(records.map((record) => record.operation)).toEqual(['echo']);
  });

  it('writes only records at or above logLevel: refusals at warn, failures at error', async () => {
    const { app, records } = auditedApp({ logLevel: 'warn' });
    await app.invoke({ channel: 'api', operation: 'ping', credential: bearer('fay:acme') });
    await app.invoke({ channel: 'api', operation: 'ping', credential: bearer('expired') });
    await app.invoke({ channel: 'api', operation: 'explode', credential: bearer('fay:acme') });
    expect(records.map((record) => record.outcome)).toEqual(['denied', 'error']);
  });
});
