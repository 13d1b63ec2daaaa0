import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import type { InvocationResult, ListInit } from '@nexus/core';
import { NexusAuthPlugin } from '../src/index.js';
import { SECRET, forge, nowSeconds } from './helpers.js';

const apps: Nexus[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

const token = (sub: string, claims: Record<string, unknown> = {}) =>
  forge({ alg: 'HS256', typ: 'JWT' }, { sub, tenant_id: 'acme', exp: nowSeconds() + 600, roles: ['user'], ...claims }, SECRET);
const as = (jwt: string): ListInit => ({ channel: 'test', credential: { kind: 'bearer', token: jwt } });
const ids = (result: InvocationResult) => (result.ok ? (result.value as { operations: Array<{ operationId: string }> }).operations.map((job) => job.operationId) : result.error.code);

/** An app whose job store holds one job of alice's. */
async function withAlicesJob(plugin: Parameters<Nexus['addPlugin']>[0]): Promise<{ app: Nexus; operationId: string }> {
  const app = new Nexus({ logger: silentLogger });
  apps.push(app);
  app.addPlugin(plugin);
  app.handler('report', { description: 'A report.', input: z.object({}), permission: 'read:reports' }, () => ({ done: true }));
  const submitted = await app.submit({ channel: 'test', operation: 'report', input: {}, credential: { kind: 'bearer', token: token('alice') } });
  if (!submitted.ok) throw submitted.error;
  return { app, operationId: (submitted.value as { operationId: string }).operationId };
}

describe("a tenant's job admin is granted, never assumed", () => {
  it('without RBAC, an authenticated caller without the permission sees only its own jobs', async () => {
    const { app, operationId } = await withAlicesJob(NexusAuthPlugin.basicAuth({ jwt: { secret: SECRET, algorithm: 'HS256' }, tenantIsolation: true }));
    expect(ids(await app.jobs.list(as(token('bob'))))).toEqual([]);
    const got = await app.jobs.get(as(token('bob')), operationId);
    expect(got.ok ? 'visible' : got.error.code).toBe('NOT_FOUND');
  });

  it("without RBAC, a token carrying the permission itself is the tenant's admin", async () => {
    const { app, operationId } = await withAlicesJob(NexusAuthPlugin.basicAuth({ jwt: { secret: SECRET, algorithm: 'HS256' }, tenantIsolation: true }));
    expect(ids(await app.jobs.list(as(token('carol', { permissions: ['admin:operations'] }))))).toEqual([operationId]);
  });

  it('with RBAC, only a role granting it makes an admin', async () => {
    const rbac = { admin: ['admin:*', 'read:*'], user: ['read:*'] };
    const { app, operationId } = await withAlicesJob(NexusAuthPlugin.saasApp({ jwt: { secret: SECRET, algorithm: 'HS256' }, rbac }));
    expect(ids(await app.jobs.list(as(token('bob', { roles: ['user'] }))))).toEqual([]);
    expect(ids(await app.jobs.list(as(token('carol', { roles: ['admin'] }))))).toEqual([operationId]);
  });
});
