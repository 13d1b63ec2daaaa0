import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { memoryChannelUnderTest, runChannelConformance } from '@nexus/core/testing';
import type { ConformanceAuth } from '@nexus/core/testing';
import { z } from 'zod';
import { createAuditor } from '../src/audit/index.js';
import type { AuditRecord } from '../src/audit/index.js';
import { NexusAuthPlugin } from '../src/plugin.js';
import { createConformanceAuth } from '../src/testing/index.js';
import { createAccessToken } from '../src/tokens.js';
import { sharedRedisUrl, uniquePrefix } from './rate-limit-support.js';

const SECRET = 'rate-limit-and-audit-plugin-test-secret!';
const dir = await mkdtemp(join(tmpdir(), 'nexus-audit-plugin-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const token = (subject: string, tenant: string, roles: string[] = ['user']) => createAccessToken({ subject, key: SECRET, roles, tenant });

function enterpriseApp(path: string) {
  const records: AuditRecord[] = [];
  const app = new Nexus({ logger: silentLogger });
  app.addPlugin(
    NexusAuthPlugin.enterprise({
      jwt: { secret: SECRET },
      rbac: { user: ['execute:*'], super_admin: ['*'] },
      tenantIsolation: { jwtClaim: 'tenant_id', adminRole: 'super_admin' },
      rateLimit: { requestsPerMinute: 2, burstSize: 1 },
      audit: { backend: 'file', path },
    }),
  );
  app.handler('report', { description: 'Reads a report.', input: z.object({}) }, (_input, ctx) => ({ tenant: ctx.tenant?.id }));
  return { app, records };
}

describe('rate limit and audit inside NexusAuthPlugin.enterprise', () => {
  it('limits per verified tenant + principal and audits who was refused and why', async () => {
    const path = join(dir, 'enterprise.log');
    const { app } = enterpriseApp(path);
    const alice = token('alice', 'acme');
    const invoke = (bearer: string, requestedTenant?: string) =>
      app.invoke({ channel: 'api', operation: 'report', credential: { kind: 'bearer', token: bearer }, transport: requestedTenant === undefined ? {} : { requestedTenant } });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await invoke(alice));
    expect(decisions.map((result) => (result.ok ? 'OK' : result.error.code))).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED']);
    expect(decisions[0]!.annotations.rateLimit).toMatchObject({ limit: 3, remaining: 2 });
    // Same user id in another tenant is another bucket.
    expect((await invoke(token('alice', 'globex'))).ok).toBe(true);
    const override = await invoke(token('root', 'acme', ['super_admin']), 'globex');
    expect(override.ok).toBe(true);
    const refusedOverride = await invoke(token('bob', 'acme'), 'globex');
    expect(refusedOverride.ok ? 'OK' : refusedOverride.error.code).toBe('TENANT_ACCESS_DENIED');
    const badToken = await invoke(createAccessToken({ subject: 'eve', key: `${SECRET}-forged`, tenant: 'acme' }));
    expect(badToken.ok).toBe(false);

    expect(await app.healthCheck()).toMatchObject({ status: 'healthy', checks: { 'rate-limit': { status: 'healthy' } } });
    await app.stop();
    const records = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(records).toHaveLength(8);
    expect(records[3]).toMatchObject({ requestId: decisions[3]!.requestId, status: 429, outcome: 'rate_limited', reason: 'quota', principal: 'alice', tenant: 'acme', roles: ['user'] });
    expect(records[5]).toMatchObject({ requestId: override.requestId, principal: 'root', tenant: 'globex', tenantOverride: true, outcome: 'allowed' });
    expect(records[6]).toMatchObject({ requestId: refusedOverride.requestId, principal: 'bob', status: 403, outcome: 'denied', requestedTenant: 'globex', tenantOverride: false });
    expect(records[7]).toMatchObject({ requestId: badToken.requestId, principal: null, status: 401, outcome: 'denied' });
    expect(records[7]!.reason).toMatch(/^[a-z_]+$/);
    expect(JSON.stringify(records)).not.toContain(SECRET);
  });
});

// The conformance kit's `limited` budget, shared through the real Redis.
const redisUrl = await sharedRedisUrl();
if (redisUrl !== undefined) {
  runChannelConformance(
    { ...memoryChannelUnderTest, name: 'in-memory (Redis rate limits)' },
    { auth: createConformanceAuth({ redisUrl, redisKeyPrefix: uniquePrefix('conformance') }) },
  );
}

// The conformance audit case, with records collected by an audit stage beside the kit's plugin.
const kit = createConformanceAuth();
const audited: AuditRecord[] = [];
const auditedKit: ConformanceAuth = {
  plugins: () => [
    ...kit.plugins(),
    { name: 'conformance-audit', setup: (app) => void app.use('observe', createAuditor({ backend: (record) => void audited.push(record) }, app).stage) },
  ],
  token: (principal) => kit.token(principal),
  invalidToken: () => kit.invalidToken(),
  auditRecords: () => audited,
};
runChannelConformance({ ...memoryChannelUnderTest, name: 'in-memory (audited)' }, { auth: auditedKit });
