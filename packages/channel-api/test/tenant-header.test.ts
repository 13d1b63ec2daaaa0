import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { startApi } from './http-driver.js';

const secret = 'channel-api-tenant-header-secret-32-bytes+';
let app: Nexus;
let base: string;

// tenantIdHeader is the auth plugin's setting; the channel must read (and answer in) that header.
beforeAll(async () => {
  app = new Nexus({ logger: silentLogger });
  app.addPlugin(NexusAuthPlugin.saasApp({ jwt: { secret }, rbac: { admin: ['*'] }, tenantIsolation: { tenantIdHeader: 'X-Org', adminRole: 'admin' } }));
  app.handler('tenant_info', { description: 'The resolved tenant.', input: z.object({}) }, (_input, ctx) => ({ tenant: ctx.tenant?.id ?? null }));
  ({ base } = await startApi(app));
});
afterAll(() => app.stop());

const call = (headers: Record<string, string>) =>
  fetch(`${base}/workflows/tenant_info/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${createAccessToken({ subject: 'root', key: secret, roles: ['admin'], tenant: 'acme', expiresIn: 600 })}`, ...headers },
    body: '{"inputs":{}}',
  });

describe('the configured tenant header', () => {
  it('is where the requested tenant is read, and where the resolved one is named', async () => {
    const response = await call({ 'x-org': 'globex' });
    expect(await response.json()).toMatchObject({ result: { tenant: 'globex' } });
    expect(response.headers.get('x-org')).toBe('globex');
    expect(response.headers.get('x-tenant-id')).toBeNull();
  });

  it('makes the default header mean nothing', async () => {
    expect(await (await call({ 'x-tenant-id': 'globex' })).json()).toMatchObject({ result: { tenant: 'acme' } });
  });
});
