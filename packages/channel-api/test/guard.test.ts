import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { NexusAuthPlugin, createAccessToken, requireRole } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { guard } from '../src/index.js';
import { startApi } from './http-driver.js';

const secret = 'channel-api-guard-test-secret-at-least-32-bytes';
let app: Nexus;
let base: string;

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger });
  app.addPlugin(NexusAuthPlugin.saasApp({ jwt: { secret }, rbac: { admin: ['*'], editor: { permissions: ['write:*'], inherits: ['viewer'] }, viewer: ['read:*'] }, tenantIsolation: { required: false } }));
  const router = express.Router();
  router.get('/viewers', guard(requireRole('viewer')), (req, res) => void res.json({ who: req.nexus?.principal?.id }));
  ({ base } = await startApi(app, {}, (api) => api.addRouter('/custom', router)));
});
afterAll(() => app.stop());

const get = (token?: string) => fetch(`${base}/custom/viewers`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
const tokenFor = (roles: string[]) => createAccessToken({ subject: 'u1', key: secret, roles, expiresIn: 600 });

describe('guard(): the operations guard vocabulary on native routes', () => {
  it("runs auth's requireRole with inherited roles resolved", async () => {
    expect((await get(tokenFor(['editor']))).status).toBe(200);
    expect((await get(tokenFor(['viewer']))).status).toBe(200);
  });

  it('refuses other callers with 403 and anonymous ones with 401', async () => {
    expect((await get(tokenFor(['nobody']))).status).toBe(403);
    expect((await get()).status).toBe(401);
  });
});
