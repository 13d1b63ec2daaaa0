import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import type { RunnableWorkflow } from '@nexus/core';
import { NexusAuthPlugin } from '../src/plugin.js';
import { createAccessToken } from '../src/tokens.js';
import type { TenantConfig } from '../src/tenant/config.js';
import { SECRET, reasonOf } from './helpers.js';

const rbac = { member: ['execute:*'], super_admin: ['*'] };
const token = (roles: string[], tenant?: string) => createAccessToken({ subject: 'u1', key: SECRET, roles, ...(tenant === undefined ? {} : { tenant }) });

/** The patterns document's process_tenant_data(tenant_id, customer_id), ported literally, as a handler and as a workflow. */
function build(tenantIsolation: TenantConfig = {}, records: Array<Record<string, unknown>> = []): Nexus {
  const app = new Nexus({ logger: silentLogger });
  app.addPlugin(new NexusAuthPlugin({ jwt: { secret: SECRET }, rbac, tenantIsolation, audit: { backend: (record) => void records.push({ ...record }) } }));
  const input = z.strictObject({ tenant_id: z.string().optional(), org_id: z.string().optional(), customer_id: z.string() });
  app.handler('process_tenant_data', { description: 'Ported literally.', input }, (fields, ctx) => ({ ran_in: fields.tenant_id ?? null, org: fields.org_id ?? null, ctx_tenant: ctx.tenant?.id ?? null }));
  const workflow: RunnableWorkflow = { kind: 'workflow', run: async (inputs) => ({ ran_in: inputs.tenant_id ?? null }), toJSON: () => ({}) };
  app.register('tenant_flow', workflow, { input: z.object({ tenant_id: z.string().optional(), customer_id: z.string() }) });
  app.handler('unbound', { description: 'No tenant field.', input: z.object({ customer_id: z.string() }) }, () => ({ ok: true }));
  return app;
}

const run = (app: Nexus, bearer: string, input: Record<string, unknown>, extra: { operation?: string; requestedTenant?: string } = {}) =>
  app.invoke({
    channel: 'test',
    operation: extra.operation ?? 'process_tenant_data',
    input,
    credential: { kind: 'bearer', token: bearer },
    ...(extra.requestedTenant === undefined ? {} : { transport: { requestedTenant: extra.requestedTenant } }),
  });

describe('the tenant-bound input field', () => {
  const app = build();

  it.each(['process_tenant_data', 'tenant_flow'])('fills an absent tenant_id with the caller\'s tenant (%s)', async (operation) => {
    const result = await run(app, token(['member'], 'acme'), { customer_id: 'c1' }, { operation });
    expect(result.ok && result.value).toMatchObject({ ran_in: 'acme' });
  });

  it('accepts a tenant_id equal to the caller\'s tenant', async () => {
    const result = await run(app, token(['member'], 'acme'), { tenant_id: 'acme', customer_id: 'c1' });
    expect(result.ok && result.value).toMatchObject({ ran_in: 'acme', ctx_tenant: 'acme' });
  });

  it.each(['process_tenant_data', 'tenant_flow'])('refuses another tenant in the input with TENANT_ACCESS_DENIED, audited as tenant_mismatch (%s)', async (operation) => {
    const records: Array<Record<string, unknown>> = [];
    const audited = build({}, records);
    const result = await run(audited, token(['member'], 'acme'), { tenant_id: 'globex', customer_id: 'c1' }, { operation });
    expect(!result.ok && result.error.code).toBe('TENANT_ACCESS_DENIED');
    expect(reasonOf(result)).toBe('tenant_mismatch');
    await audited.stop();
    expect(records.at(-1)).toMatchObject({ operation, outcome: 'denied', status: 403, reason: 'tenant_mismatch' });
  });

  it('lets an administrator act in the tenant it named through the override, and only that one', async () => {
    const fresh = build();
    const admin = token(['super_admin'], 'acme');
    const named = await run(fresh, admin, { tenant_id: 'globex', customer_id: 'c1' }, { requestedTenant: 'globex' });
    expect(named.ok && named.value).toMatchObject({ ran_in: 'globex', ctx_tenant: 'globex' });
    const filled = await run(fresh, admin, { customer_id: 'c1' }, { requestedTenant: 'globex' });
    expect(filled.ok && filled.value).toMatchObject({ ran_in: 'globex' });
    expect(reasonOf(await run(fresh, admin, { tenant_id: 'globex', customer_id: 'c1' }))).toBe('tenant_mismatch');
    expect(reasonOf(await run(fresh, admin, { tenant_id: 'initech', customer_id: 'c1' }, { requestedTenant: 'globex' }))).toBe('tenant_mismatch');
  });

  it('refuses a tenant_id from a caller without a tenant when tenants are optional', async () => {
    const optional = build({ required: false });
    expect(reasonOf(await run(optional, token(['member']), { tenant_id: 'globex', customer_id: 'c1' }))).toBe('tenant_mismatch');
    const none = await run(optional, token(['member']), { customer_id: 'c1' });
    expect(none.ok && none.value).toMatchObject({ ran_in: null });
  });

  it('binds a field of another name with inputField, and nothing with inputField: false', async () => {
    const custom = build({ inputField: 'org_id' });
    const bound = await run(custom, token(['member'], 'acme'), { customer_id: 'c1' });
    expect(bound.ok && bound.value).toMatchObject({ org: 'acme', ran_in: null });
    expect(reasonOf(await run(custom, token(['member'], 'acme'), { org_id: 'globex', customer_id: 'c1' }))).toBe('tenant_mismatch');
    const off = build({ inputField: false });
    const unbound = await run(off, token(['member'], 'acme'), { tenant_id: 'globex', customer_id: 'c1' });
    expect(unbound.ok && unbound.value).toMatchObject({ ran_in: 'globex', ctx_tenant: 'acme' });
  });

  it('leaves operations without the field alone', async () => {
    expect((await run(app, token(['member'], 'acme'), { customer_id: 'c1' }, { operation: 'unbound' })).ok).toBe(true);
  });

  it('refuses an inputField that is not a field name at setup', () => {
    expect(() => build({ inputField: '' as never })).toThrow(/NEXUS_ERR_TENANT_CONFIG/);
  });
});
