import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { z } from 'zod';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import type { AuditRecord } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { requirePermission, requireRole } from '../src/index.js';
import { startApi } from './http-driver.js';

const secret = 'channel-api-test-secret-at-least-32-bytes-long';
const records: AuditRecord[] = [];
let app: Nexus;
let base: string;

const tokenFor = (subject: string, roles: string[], tenant = 'acme') => createAccessToken({ subject, key: secret, roles, tenant, expiresIn: 600 });
const call = (name: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/workflows/${name}/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ inputs: {} }),
  });

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger, enableMonitoring: true });
  app.addPlugin(
    NexusAuthPlugin.enterprise({
      jwt: { secret },
      rbac: {
        admin: ['*'],
        viewer: ['read:*'],
        analyst: { permissions: ['execute:tenant_info'], inherits: ['viewer'] },
      },
      rateLimit: { requestsPerMinute: 1_000, burstSize: 0, operationLimits: { tight: { requestsPerMinute: 1, burstSize: 0 } } },
      tenantIsolation: { adminRole: 'admin' },
      audit: { backend: (record: AuditRecord) => void records.push(record) },
    }),
  );
  app.handler('tenant_info', { description: 'The resolved tenant.', input: z.object({}) }, (_input, ctx) => ({ tenant: ctx.tenant?.id ?? null }));
  app.handler('tight', { description: 'One call a minute.', input: z.object({}), permission: 'execute:tenant_info' }, () => ({ ok: true }));
  const router = express.Router();
  router.get('/viewers', requireRole('viewer'), (req, res) => void res.json({ who: req.nexus?.principal?.id }));
  router.get('/reports', requirePermission('read:reports'), (_req, res) => void res.json({ reports: 3 }));
  router.get('/admin', requirePermission('admin:everything'), (_req, res) => void res.json({ ok: true }));
  ({ base } = await startApi(app, {}, (api) => api.addRouter('/custom', router)));
});
afterAll(() => app.stop());

describe('with the auth plugin', () => {
  it('keeps /health, /metrics and /openapi.json open and refuses anonymous catalogue-free routes', async () => {
    for (const path of ['/health', '/health/ready', '/metrics', '/openapi.json']) expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 200]);
    const refused = await fetch(`${base}/custom/reports`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('sends rate-limit and tenant headers, then 429 with Retry-After', async () => {
    const token = tokenFor('rl-user', ['analyst']);
    const first = await call('tight', token);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('1');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(first.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    expect(first.headers.get('x-tenant-id')).toBe('acme');
    const second = await call('tight', token);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await second.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });

  it('passes X-Tenant-ID to the tenant phase: refused for a member, honoured for an admin', async () => {
    const member = await call('tenant_info', tokenFor('m', ['analyst']), { 'x-tenant-id': 'globex' });
    expect(member.status).toBe(403);
    expect(((await member.json()) as { code: string }).code).toBe('TENANT_ACCESS_DENIED');
    const admin = await call('tenant_info', tokenFor('a', ['admin']), { 'x-tenant-id': 'globex' });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('x-tenant-id')).toBe('globex');
    expect(((await admin.json()) as { result: unknown }).result).toEqual({ tenant: 'globex' });
  });

  it('answers a non-Latin-1 tenant with 200, its X-Tenant-ID percent-encoded, and the request id of its audit record', async () => {
    const response = await call('tenant_info', tokenFor('cjk', ['analyst'], '租户-a'), { 'x-request-id': 'cjk-tenant-1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('cjk-tenant-1');
    expect(response.headers.get('x-tenant-id')).toBe(encodeURIComponent('租户-a'));
    expect(decodeURIComponent(response.headers.get('x-tenant-id')!)).toBe('租户-a');
    expect(((await response.json()) as { result: unknown }).result).toEqual({ tenant: '租户-a' });
    expect(records.filter((entry) => entry.requestId === 'cjk-tenant-1')).toMatchObject([{ tenant: '租户-a', status: 200, outcome: 'allowed' }]);
  });

  it('stamps the request id, method and path on the audit record of each call', async () => {
    await call('tenant_info', tokenFor('audited', ['analyst']), { 'x-request-id': 'audit-me-1' });
    const record = records.find((entry) => entry.requestId === 'audit-me-1');
    expect(record).toMatchObject({ channel: 'api', operation: 'tenant_info', method: 'POST', path: '/workflows/tenant_info/execute', outcome: 'allowed' });
  });

  it('guards custom routes with inherited roles and wildcard permissions, as the auth plugin resolves them', async () => {
    const analyst = { authorization: `Bearer ${tokenFor('ann', ['analyst'])}` };
    const viewers = await fetch(`${base}/custom/viewers`, { headers: analyst });
    expect(viewers.status).toBe(200);
    expect(await viewers.json()).toEqual({ who: 'ann' });
    expect((await fetch(`${base}/custom/reports`, { headers: analyst })).status).toBe(200);
    expect((await fetch(`${base}/custom/admin`, { headers: analyst })).status).toBe(403);
    const nobody = { authorization: `Bearer ${tokenFor('nobody', [])}` };
    expect((await fetch(`${base}/custom/viewers`, { headers: nobody })).status).toBe(403);
  });
});
