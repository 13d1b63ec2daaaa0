import { describe, expect, it } from '@jest/globals';
import type { NexusContext, Principal } from '@nexus/core';
import { hasPermission, hasRole, requirePermission, requireRole } from '../src/guards.js';
import { Rbac } from '../src/rbac/rbac.js';
import { createAccessToken } from '../src/tokens.js';
import { SECRET, appWith, call, reasonOf } from './helpers.js';

const principal = (roles: string[], permissions: string[] = []): Principal => ({ id: 'p', roles, permissions, claims: {} });

describe('permission patterns', () => {
  const rbac = new Rbac({ all: ['*'], reader: ['read:*'], users: ['*:users'], exact: ['read:reports'] });
  it.each([
    ['all', 'anything:at-all', true],
    ['reader', 'read:reports', true],
    ['reader', 'read:a:b', true],
    ['reader', 'read:', false],
    ['reader', 'reader:x', false],
    ['reader', 'write:reports', false],
    ['users', 'delete:users', true],
    ['users', 'delete:userslist', false],
    ['exact', 'read:reports', true],
    ['exact', 'read:reports2', false],
    ['nobody', 'read:reports', false],
  ])('%s may %s: %s', (role, permission, expected) => {
    expect(rbac.can(principal([role]), permission)).toBe(expected);
  });
});

describe('inheritance and default role', () => {
  const rbac = new Rbac(
    {
      viewer: ['read:*'],
      editor: { permissions: ['write:docs'], inherits: ['viewer'], description: 'Edits docs' },
      chief: { inherits: ['editor'] },
      guest: ['read:public'],
    },
    'guest',
  );

  it('resolves inheritance transitively', () => {
    const chief = principal(['chief']);
    expect(rbac.can(chief, 'read:anything')).toBe(true);
    expect(rbac.can(chief, 'write:docs')).toBe(true);
    expect(rbac.hasRole(chief, 'viewer')).toBe(true);
    expect(rbac.can(principal(['viewer']), 'write:docs')).toBe(false);
  });

  it('gives the default role only to principals without roles', () => {
    expect(rbac.can(principal([]), 'read:public')).toBe(true);
    expect(rbac.can(principal(['viewer']), 'read:public')).toBe(true);
    expect(rbac.hasRole(principal(['viewer']), 'guest')).toBe(false);
    expect(rbac.can(principal(['unknown-role']), 'read:public')).toBe(false);
  });

  it('lets the principal\'s own permissions narrow its roles, never widen them', () => {
    expect(rbac.can(principal(['unknown-role'], ['export:data']), 'export:data')).toBe(false);
    expect(rbac.can(principal(['chief'], ['read:reports']), 'read:reports')).toBe(true);
    expect(rbac.can(principal(['chief'], ['read:reports']), 'write:docs')).toBe(false);
  });
});

describe('token claims narrow role permissions', () => {
  const rbac = new Rbac({ reader: ['read:*'], writer: ['write:docs', 'read:docs'], all: ['*'] });
  const withClaims = (roles: string[], claims: Record<string, unknown>): Principal => {
    const permissions = [...(Array.isArray(claims.permissions) ? claims.permissions : []), ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []), ...(Array.isArray(claims.scp) ? claims.scp : [])];
    return { id: 'p', roles, permissions, claims };
  };
  it.each([
    ['no claim: the roles decide', ['reader'], {}, 'read:reports', true],
    ['a claim cannot grant what no role holds', [], { permissions: ['*'] }, 'delete:personal_data', false],
    ['a scope cannot grant what no role holds', ['reader'], { scope: 'delete:personal_data write:*' }, 'delete:personal_data', false],
    ['an exact claim inside a wildcard role', ['reader'], { scope: 'read:reports' }, 'read:reports', true],
    ['an exact claim restricts a wildcard role', ['reader'], { scope: 'read:reports' }, 'read:audit', false],
    ['a wildcard claim over exact role permissions', ['writer'], { scp: ['write:*'] }, 'write:docs', true],
    ['a wildcard claim excludes the rest of the role', ['writer'], { scp: ['write:*'] }, 'read:docs', false],
    ['a suffix wildcard claim', ['all'], { permissions: ['*:docs'] }, 'read:docs', true],
    ['a suffix wildcard claim excludes other resources', ['all'], { permissions: ['*:docs'] }, 'read:users', false],
    ['an empty claim allows nothing', ['all'], { permissions: [] }, 'read:docs', false],
  ] as const)('%s', (_name, roles, claims, permission, expected) => {
    expect(rbac.can(withClaims([...roles], claims), permission)).toBe(expected);
  });

  it("treats claims as grants only with claimPermissions: 'grant'", () => {
    const granting = new Rbac({ claimPermissions: 'grant', reader: ['read:*'] });
    expect(granting.can(withClaims([], { permissions: ['export:data'] }), 'export:data')).toBe(true);
    expect(granting.can(withClaims(['reader'], { scope: 'read:x' }), 'read:y')).toBe(true);
    expect(granting.roleNames()).toEqual(['reader']);
  });

  it('refuses an unknown claimPermissions mode at setup', () => {
    expect(() => new Rbac({ claimPermissions: 'widen' as never, reader: ['read:*'] })).toThrow(/NEXUS_ERR_RBAC_CONFIG/);
  });
});

describe('authorization in the pipeline', () => {
  const { app } = appWith({ jwt: { secret: SECRET }, rbac: { analyst: ['read:reports'], dev: { inherits: ['analyst'] }, intern: [] } });
  const as = (roles: string[], permissions?: string[]) => createAccessToken({ subject: 'u', key: SECRET, roles, ...(permissions ? { permissions } : {}) });

  it('enforces the operation permission, inheritance resolved', async () => {
    expect((await call(app, as(['dev']), { operation: 'reports' })).ok).toBe(true);
    const denied = await call(app, as(['intern']), { operation: 'reports' });
    expect(!denied.ok && denied.error.code).toBe('FORBIDDEN');
    expect(reasonOf(denied)).toBe('forbidden');
  });

  it('denies by default: no roles and no permissions means nothing is allowed', async () => {
    expect(!(await call(app, as([]), { operation: 'whoami' })).ok).toBe(true);
  });

  it('never lets permissions carried in the token grant what the roles do not', async () => {
    const denied = await call(app, as([], ['*']), { operation: 'reports' });
    expect(!denied.ok && denied.error.code).toBe('FORBIDDEN');
    const scoped = createAccessToken({ subject: 'u', key: SECRET, roles: ['analyst'], claims: { scope: 'write:*' } });
    expect(!(await call(app, scoped, { operation: 'reports' })).ok).toBe(true);
    const narrowed = createAccessToken({ subject: 'u', key: SECRET, roles: ['dev'], claims: { scp: ['read:*'] } });
    expect((await call(app, narrowed, { operation: 'reports' })).ok).toBe(true);
  });

  it("honours permissions carried in the token with claimPermissions: 'grant'", async () => {
    const granting = appWith({ jwt: { secret: SECRET }, rbac: { claimPermissions: 'grant', analyst: ['read:reports'] } }).app;
    expect((await call(granting, as([], ['read:reports']), { operation: 'reports' })).ok).toBe(true);
  });

  it('lists only the operations the caller may call', async () => {
    const listed = await app.dispatch({ purpose: 'list',  channel: 'test', credential: { kind: 'bearer', token: as(['analyst']) } });
    expect(listed.ok && listed.value.map((op) => op.name).sort()).toEqual(['ping', 'reports']);
    const anonymous = await app.dispatch({ purpose: 'list',  channel: 'test' });
    expect(anonymous.ok && anonymous.value.map((op) => op.name)).toEqual(['ping']);
  });
});

describe('guards', () => {
  const ctxOf = (p: Principal | undefined) => ({ principal: p }) as unknown as NexusContext;
  const rbac = new Rbac({ admin: ['*'], ops: { permissions: ['read:status'], inherits: [] }, lead: { inherits: ['ops'] } });

  it('requireRole admits any listed role, inheritance resolved', () => {
    const lead = principal(['lead']);
    rbac.access(lead);
    expect(() => requireRole('ops')(ctxOf(lead))).not.toThrow();
    expect(() => requireRole('admin', 'ops')(ctxOf(lead))).not.toThrow();
    expect(() => requireRole('admin')(ctxOf(lead))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireRole('admin')(ctxOf(undefined))).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    expect(hasRole(lead, 'ops')).toBe(true);
  });

  it('requirePermission needs every listed permission', () => {
    const ops = principal(['ops']);
    rbac.access(ops);
    expect(() => requirePermission('read:status')(ctxOf(ops))).not.toThrow();
    expect(() => requirePermission('read:status', 'write:status')(ctxOf(ops))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(hasPermission(ops, 'read:status')).toBe(true);
  });

  it('falls back to the principal\'s own roles and permissions without RBAC', () => {
    const raw = principal(['x'], ['read:*']);
    expect(() => requireRole('x')(ctxOf(raw))).not.toThrow();
    expect(() => requirePermission('read:y')(ctxOf(raw))).not.toThrow();
  });

  it('refuses an empty guard at setup', () => {
    expect(() => requireRole()).toThrow(/NEXUS_ERR_GUARD_CONFIG/);
  });
});

describe('many principals with the same roles', () => {
  const rbac = new Rbac({ reader: ['read:*'], writer: ['write:docs'], 'reader,writer': ['admin:*'], '["reader"': ['delete:*'] });

  it('each gets the access of its own role list, however the lists resemble each other', () => {
    for (let i = 0; i < 3; i++) {
      expect(rbac.can(principal(['reader']), 'read:x')).toBe(true);
      expect(rbac.can(principal(['reader']), 'write:docs')).toBe(false);
      expect(rbac.can(principal(['reader', 'writer']), 'write:docs')).toBe(true);
      expect(rbac.can(principal(['reader', 'writer']), 'admin:x')).toBe(false);
      expect(rbac.can(principal(['reader,writer']), 'admin:x')).toBe(true);
      expect(rbac.can(principal(['reader,writer']), 'write:docs')).toBe(false);
      expect(rbac.can(principal(['["reader"']), 'delete:x')).toBe(true);
      expect(rbac.can(principal(['["reader"']), 'read:x')).toBe(false);
      expect(rbac.hasRole(principal(['reader', 'writer']), 'writer')).toBe(true);
      expect(rbac.hasRole(principal(['reader']), 'writer')).toBe(false);
    }
  });

  it('still narrows by the permissions a principal carries after others with its roles were resolved', () => {
    expect(rbac.can(principal(['reader']), 'read:reports')).toBe(true);
    expect(rbac.can(principal(['reader'], ['read:docs']), 'read:reports')).toBe(false);
    expect(rbac.can(principal(['reader'], ['read:docs']), 'read:docs')).toBe(true);
    expect(rbac.can({ id: 'p', roles: ['reader'], permissions: [], claims: { scope: '' } }, 'read:reports')).toBe(false);
    expect(rbac.can(principal(['reader']), 'read:reports')).toBe(true);
  });

  it('keeps a bounded number of role lists and still answers for every one', () => {
    for (let i = 0; i < 3_000; i++) expect(rbac.can(principal(['reader', `r${i}`]), 'read:x')).toBe(true);
    expect(rbac.can(principal(['writer', 'r1']), 'read:x')).toBe(false);
  });
});
