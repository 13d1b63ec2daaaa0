import { describe, expect, it } from '@jest/globals';
import { createAccessToken } from '../src/tokens.js';
import type { TenantConfig } from '../src/tenant/config.js';
import { SECRET, appWith, call, reasonOf } from './helpers.js';

const rbac = { member: ['execute:*'], super_admin: ['*'], root: { inherits: ['super_admin'] } };
const token = (roles: string[], tenant?: string) => createAccessToken({ subject: 'u1', key: SECRET, roles, ...(tenant === undefined ? {} : { tenant }) });
const build = (tenantIsolation: TenantConfig | true = true) => appWith({ jwt: { secret: SECRET }, rbac, tenantIsolation }).app;

describe('tenant isolation', () => {
  const app = build();

  it('takes the tenant from the claim and gives it to the handler and the annotations', async () => {
    const result = await call(app, token(['member'], 'acme'));
    expect(result.ok && result.value).toMatchObject({ tenant: { id: 'acme', source: 'claim' } });
    expect(result.annotations.tenant).toEqual({ id: 'acme', source: 'claim' });
  });

  it('accepts a requested tenant equal to the caller\'s own', async () => {
    const result = await call(app, token(['member'], 'acme'), { transport: { requestedTenant: 'acme' } });
    expect(result.ok && result.value).toMatchObject({ tenant: { id: 'acme', source: 'claim' } });
  });

  it('refuses a non-admin asking for another tenant', async () => {
    const result = await call(app, token(['member'], 'acme'), { transport: { requestedTenant: 'globex' } });
    expect(!result.ok && result.error.code).toBe('TENANT_ACCESS_DENIED');
    expect(!result.ok && result.error.message).toBe('Access to this tenant is denied.');
    expect(reasonOf(result)).toBe('tenant_mismatch');
  });

  it('lets the admin role override, inheritance resolved, and marks the override', async () => {
    for (const roles of [['super_admin'], ['root']]) {
      const result = await call(app, token(roles, 'acme'), { transport: { requestedTenant: 'globex' } });
      expect(result.ok && result.value).toMatchObject({ tenant: { id: 'globex', source: 'override', callerTenant: 'acme' } });
      expect(result.annotations.tenant?.source).toBe('override');
    }
  });

  it('refuses an operation without a tenant with TENANT_REQUIRED', async () => {
    const result = await call(app, token(['member']));
    expect(!result.ok && result.error.code).toBe('TENANT_REQUIRED');
  });

  it('needs no tenant for public operations and catalogue requests', async () => {
    expect((await call(app, undefined, { operation: 'ping' })).ok).toBe(true);
    const listed = await app.dispatch({ purpose: 'list',  channel: 'test', credential: { kind: 'bearer', token: token(['member']) } });
    expect(listed.ok).toBe(true);
  });
});

describe('tenant options', () => {
  it('disables overrides with allowAdminOverride: false', async () => {
    const app = build({ allowAdminOverride: false });
    const result = await call(app, token(['super_admin'], 'acme'), { transport: { requestedTenant: 'globex' } });
    expect(!result.ok && result.error.code).toBe('TENANT_ACCESS_DENIED');
  });

  it('makes the tenant optional with required: false', async () => {
    const result = await call(build({ required: false }), token(['member']));
    expect(result.ok && result.value).toMatchObject({ tenant: null });
  });

  it('runs the validate hook on the resolved tenant', async () => {
    const seen: string[] = [];
    const app = build({ validate: async (id) => (seen.push(id), id !== 'suspended') });
    expect((await call(app, token(['member'], 'acme'))).ok).toBe(true);
    const refused = await call(app, token(['member'], 'suspended'));
    expect(!refused.ok && refused.error.code).toBe('TENANT_ACCESS_DENIED');
    expect(reasonOf(refused)).toBe('tenant_invalid');
    expect(seen).toEqual(['acme', 'suspended']);
  });

  it('reads the tenant from a custom claim and names the admin role', async () => {
    const app = build({ jwtClaim: 'org', adminRole: 'root' });
    const own = createAccessToken({ subject: 'u', key: SECRET, roles: ['member'], claims: { org: 'initech' } });
    expect((await call(app, own)).annotations.tenant?.id).toBe('initech');
  });

  it('does not require a tenant on the native routes of excludePaths, and never on that ground for an operation', async () => {
    const app = build({ excludePaths: ['/admin/*', '/workflows/whoami/*'] });
    const route = (path: string) => app.dispatch({ purpose: 'route', channel: 'api', credential: { kind: 'bearer', token: token(['member']) }, transport: { path }, route: () => 'ok' });
    expect((await route('/admin/stats')).ok).toBe(true);
    expect((await route('/reports')).ok).toBe(false);
    // An operation says so itself (tenantRequired: false), the same on every channel.
    expect((await call(app, token(['member']), { transport: { path: '/workflows/whoami/execute' } })).ok).toBe(false);
  });
});

describe('effective roles', () => {
  it('gives the principal its inherited roles, so any role check sees them', async () => {
    const result = await call(build(), token(['root'], 'acme'));
    expect(result.annotations.principal?.roles).toEqual(['root', 'super_admin']);
  });
});

describe('tenant ids are identifiers', () => {
  const app = build();

  it.each([
    ['a lone surrogate', 'acme\ud800'],
    ['a control character', 'ac\u0000me'],
    ['129 characters', 'x'.repeat(129)],
  ])('refuses a credential whose tenant claim has %s with UNAUTHENTICATED', async (_name, tenant) => {
    const result = await call(app, token(['member'], tenant));
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(reasonOf(result)).toBe('invalid_tenant_claim');
  });

  it('accepts a non-Latin-1 tenant id', async () => {
    const result = await call(app, token(['member'], '租户-a'));
    expect(result.ok && result.value).toMatchObject({ tenant: { id: '租户-a', source: 'claim' } });
  });

  it.each([
    ['a lone surrogate', 'acme\ud800'],
    ['a control character', 'glo\nbex'],
    ['129 characters', 'x'.repeat(129)],
  ])('refuses a requested tenant with %s with TENANT_ACCESS_DENIED, even for the admin role', async (_name, requested) => {
    for (const roles of [['super_admin'], ['member']]) {
      const result = await call(app, token(roles, 'acme'), { transport: { requestedTenant: requested } });
      expect(!result.ok && result.error.code).toBe('TENANT_ACCESS_DENIED');
      expect(reasonOf(result)).toBe('tenant_invalid');
    }
  });
});
