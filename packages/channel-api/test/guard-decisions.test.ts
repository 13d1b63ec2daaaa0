import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { NexusAuthPlugin, createAccessToken, requirePermission as authRequirePermission, requireRole as authRequireRole } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { guard, requirePermission, requireRole } from '../src/index.js';
import { startApi } from './http-driver.js';

// One decision for a role or permission check, wherever it is written: the channel's deprecated
// shorthands must answer exactly as @nexus/auth's guards do through guard(), with RBAC and without.
const secret = 'channel-api-guard-decisions-secret-32-bytes';
const roles = ['viewer', 'editor', 'admin', 'auditor'];
const permissions = ['read:reports', 'write:reports', 'delete:reports', 'audit:read'];

const token = (subject: string, extra: { roles?: string[]; permissions?: string[] }) =>
  createAccessToken({ subject, key: secret, roles: extra.roles ?? [], ...(extra.permissions ? { permissions: extra.permissions } : {}), expiresIn: 600 });
const callers: Record<string, string | undefined> = {
  anonymous: undefined,
  'no roles': token('d', {}),
  viewer: token('v', { roles: ['viewer'] }),
  editor: token('e', { roles: ['editor'] }),
  admin: token('a', { roles: ['admin'] }),
  'editor narrowed to read:*': token('n', { roles: ['editor'], permissions: ['read:*'] }),
  'unknown role': token('u', { roles: ['intern'] }),
  'own permissions only': token('p', { permissions: ['read:reports', 'audit:*'] }),
};

const setups: Record<string, () => NexusAuthPlugin> = {
  'with RBAC': () => NexusAuthPlugin.saasApp({
    jwt: { secret },
    rbac: { admin: ['*'], editor: { permissions: ['write:*'], inherits: ['viewer'] }, viewer: ['read:*'], auditor: ['audit:read'] },
    rbacDefaultRole: 'viewer',
    tenantIsolation: { required: false },
  }),
  'without RBAC (basicAuth)': () => NexusAuthPlugin.basicAuth({ jwt: { secret } }),
};

describe.each(Object.keys(setups))('requireRole and requirePermission decide as the auth guards do, %s', (setup) => {
  let app: Nexus;
  let base: string;
  beforeAll(async () => {
    app = new Nexus({ logger: silentLogger });
    app.addPlugin(setups[setup]!());
    const router = express.Router();
    for (const role of roles) {
      router.get(`/shorthand/role/${role}`, requireRole(role), (_req, res) => void res.json({}));
      router.get(`/guard/role/${role}`, guard(authRequireRole(role)), (_req, res) => void res.json({}));
    }
    for (const permission of permissions) {
      router.get(`/shorthand/permission/${permission}`, requirePermission(permission), (_req, res) => void res.json({}));
      router.get(`/guard/permission/${permission}`, guard(authRequirePermission(permission)), (_req, res) => void res.json({}));
    }
    ({ base } = await startApi(app, {}, (api) => api.addRouter('/checks', router)));
  });
  afterAll(() => app.stop());

  const status = async (path: string, jwt: string | undefined): Promise<number> =>
    (await fetch(`${base}/checks${path}`, jwt === undefined ? {} : { headers: { authorization: `Bearer ${jwt}` } })).status;

  it.each(Object.keys(callers))('the same answers for %s', async (name) => {
    const jwt = callers[name];
    const shorthand: Record<string, number> = {};
    const guarded: Record<string, number> = {};
    for (const role of roles) {
      shorthand[`role ${role}`] = await status(`/shorthand/role/${role}`, jwt);
      guarded[`role ${role}`] = await status(`/guard/role/${role}`, jwt);
    }
    for (const permission of permissions) {
      shorthand[`permission ${permission}`] = await status(`/shorthand/permission/${permission}`, jwt);
      guarded[`permission ${permission}`] = await status(`/guard/permission/${permission}`, jwt);
    }
    expect(shorthand).toEqual(guarded);
    // Each caller is refused something it lacks, so the comparison is not between two open doors.
    if (name !== 'admin' || setup !== 'with RBAC') expect(Object.values(shorthand).some((code) => code === 401 || code === 403)).toBe(true);
  });
});
