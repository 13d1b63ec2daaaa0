import { describe, expect, it } from '@jest/globals';
import { resolvePolicy } from '@nexus/core';
import { createAccessToken } from '../src/tokens.js';
import { SECRET, appWith, call, reasonOf } from './helpers.js';

describe('authentication stage', () => {
  it('runs public operations without a credential and with a bad one', async () => {
    const { app } = appWith({ jwt: { secret: SECRET } });
    expect((await call(app, undefined, { operation: 'ping' })).ok).toBe(true);
    const withBad = await call(app, 'not.a-valid.token', { operation: 'ping' });
    expect(withBad.ok && withBad.value).toMatchObject({ principal: null });
  });

  it('refuses credentials it does not understand', async () => {
    const { app } = appWith({ jwt: { secret: SECRET } });
    const result = await app.invoke({ channel: 'test', operation: 'whoami', credential: { kind: 'api-key', key: 'k' } });
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(reasonOf(result)).toBe('unsupported');
  });

  it('admits anonymous callers to native routes declaring public only', async () => {
    const { app } = appWith({ jwt: { secret: SECRET } });
    const policy = resolvePolicy('route /health', { public: true });
    const health = await app.dispatch({ purpose: 'route', channel: 'test', transport: { path: '/health' }, route: () => 'ok', policy });
    expect(health.ok).toBe(true);
    const withBad = await app.dispatch({ purpose: 'route', channel: 'test', credential: { kind: 'bearer', token: 'x.y.z' }, transport: { path: '/health/ready' }, route: () => 'ok', policy });
    expect(withBad.ok).toBe(true);
    const custom = await app.dispatch({ purpose: 'route', channel: 'test', transport: { path: '/health' }, route: () => 'ok' });
    expect(!custom.ok && custom.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers further failing credentials from an address with 429 once it has spent its failures, not other addresses', async () => {
    const { app } = appWith({ jwt: { secret: SECRET }, authFailureThrottle: { maxFailures: 3, windowSeconds: 60 } });
    const bad = createAccessToken({ subject: 'x', key: `${SECRET}-wrong` });
    for (let i = 0; i < 3; i++) expect(reasonOf(await call(app, bad, { clientAddress: '10.0.0.1' }))).toBe('bad_signature');
    const throttled = await call(app, bad, { clientAddress: '10.0.0.1' });
    expect(!throttled.ok && throttled.error.code).toBe('RATE_LIMITED');
    expect(!throttled.ok && throttled.error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(reasonOf(throttled)).toBe('throttled');
    expect(reasonOf(await call(app, 'not-even-a-jwt', { clientAddress: '10.0.0.1' }))).toBe('throttled');
    expect(reasonOf(await call(app, bad, { clientAddress: '10.0.0.2' }))).toBe('bad_signature');
    const metrics = await app.metrics.registry.getSingleMetricAsString('nexus_auth_failures_total');
    expect(metrics).toMatch(/reason="throttled"} 2/);
    expect(metrics).toMatch(/channel="test",reason="bad_signature"} 4/);
  });

  it('never refuses a credential that verifies, even a new one from a blocked address', async () => {
    const { app } = appWith({ jwt: { secret: SECRET }, authFailureThrottle: { maxFailures: 3, windowSeconds: 60 } });
    const bad = createAccessToken({ subject: 'mallory', key: `${SECRET}-wrong` });
    const known = createAccessToken({ subject: 'alice', key: SECRET });
    expect((await call(app, known, { clientAddress: '10.0.0.9' })).ok).toBe(true);
    for (let i = 0; i < 20; i++) await call(app, bad, { clientAddress: '10.0.0.9' });
    const stillIn = await call(app, known, { clientAddress: '10.0.0.9' });
    expect(stillIn.ok && stillIn.value).toMatchObject({ principal: 'alice' });
    const newcomer = await call(app, createAccessToken({ subject: 'bob', key: SECRET }), { clientAddress: '10.0.0.9' });
    expect(newcomer.ok && newcomer.value).toMatchObject({ principal: 'bob' });
    expect(reasonOf(await call(app, bad, { clientAddress: '10.0.0.9' }))).toBe('throttled');
  });

  it('leaves the principal in the annotations, where the observe-phase audit reads it', async () => {
    const records: Array<Record<string, unknown>> = [];
    const { app } = appWith({ jwt: { secret: SECRET }, rbac: { member: ['execute:*'] }, tenantIsolation: true, audit: { backend: (record) => void records.push({ ...record }) } });
    const result = await call(app, createAccessToken({ subject: 'alice', key: SECRET, roles: ['member'], tenant: 'acme' }));
    expect(result.ok).toBe(true);
    expect(result.annotations.principal?.id).toBe('alice');
    await app.stop();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ principal: 'alice', tenant: 'acme', outcome: 'allowed' });
  });

  it('records the reason of a refusal in the audit, never in the answer', async () => {
    const records: Array<Record<string, unknown>> = [];
    const { app } = appWith({ jwt: { secret: SECRET }, audit: { backend: (record) => void records.push({ ...record }) } });
    const result = await call(app, createAccessToken({ subject: 'a', key: SECRET, expiresIn: -5 }));
    expect(!result.ok && JSON.stringify(result.error.toProblem())).not.toMatch(/expired/);
    await app.stop();
    expect(records[0]).toMatchObject({ outcome: 'denied', reason: 'expired' });
  });
});
