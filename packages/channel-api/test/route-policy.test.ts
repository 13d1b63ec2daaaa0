import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import type { AuditRecord, NexusAuthOptions } from '@nexus/auth';
import { Nexus, isNexusSetupError, silentLogger } from '@nexus/core';
import type { ApiChannel, ApiChannelOptions } from '../src/index.js';
import { createApiChannel } from '../src/index.js';
import { startApi } from './http-driver.js';

const secret = 'channel-api-route-policy-secret-at-least-32-bytes';
const token = (subject: string, tenant?: string) => createAccessToken({ subject, key: secret, roles: ['member'], ...(tenant === undefined ? {} : { tenant }), expiresIn: 600 });
let running: Nexus | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function serve(options: ApiChannelOptions, mount: (api: ApiChannel) => void, auth: Partial<NexusAuthOptions> = {}) {
  const records: AuditRecord[] = [];
  const app = new Nexus({ logger: silentLogger, enableMonitoring: true });
  app.addPlugin(new NexusAuthPlugin({
    jwt: { secret },
    rbac: { member: ['execute:*'] },
    tenantIsolation: true,
    audit: { backend: (record) => void records.push(record) },
    rateLimit: { requestsPerMinute: 1_000 },
    ...auth,
  }));
  running = app;
  const { base } = await startApi(app, options, mount);
  return { base, records };
}

const hello = () => express.Router().get('/hello', (req, res) => void res.json({ who: req.nexus?.principal?.id ?? null }));

describe('policy metadata of routes mounted on the API channel', () => {
  it('serves a router mounted with public: true to anonymous callers, and refuses them on one mounted without', async () => {
    const { base } = await serve({}, (api) => api.addRouter('/open', hello(), { public: true }).addRouter('/closed', hello()));
    const open = await fetch(`${base}/open/hello`);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ who: null });
    expect((await fetch(`${base}/open/hello`, { headers: { authorization: 'Bearer not.a.token' } })).status).toBe(200);
    expect((await fetch(`${base}/closed/hello`)).status).toBe(401);
  });

  it('audits a router as it declares: audit: false leaves no record, the default one', async () => {
    const { base, records } = await serve({}, (api) => api.addRouter('/quiet', hello(), { audit: false }).addRouter('/loud', hello()));
    const headers = { authorization: `Bearer ${token('ann', 'acme')}` };
    expect((await fetch(`${base}/quiet/hello`, { headers })).status).toBe(200);
    expect((await fetch(`${base}/loud/hello`, { headers })).status).toBe(200);
    expect(records.map((record) => record.path)).toEqual(['/loud/hello']);
  });

  it('serves a router declaring tenantRequired: false to a caller without a tenant', async () => {
    const { base } = await serve({}, (api) => api.addRouter('/platform', hello(), { tenantRequired: false }).addRouter('/tenanted', hello()));
    const headers = { authorization: `Bearer ${token('tenantless')}` };
    expect((await fetch(`${base}/platform/hello`, { headers })).status).toBe(200);
    expect((await fetch(`${base}/tenanted/hello`, { headers })).status).toBe(403);
  });

  it('keeps the built-in routes open with the auth plugin and no path list: they declare public themselves', async () => {
    const { base } = await serve({}, () => {});
    for (const path of ['/health', '/health/ready', '/metrics', '/openapi.json', '/docs']) expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 200]);
  });

  it('closes /metrics when routePolicy says it is not public, and stops auditing it when told', async () => {
    const { base, records } = await serve({ routePolicy: { metrics: { public: false, audit: false } } }, () => {});
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token('scraper', 'acme')}` } })).status).toBe(200);
    expect(records).toEqual([]);
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, { get: { security?: unknown; responses: Record<string, unknown> } }> };
    // The document says what the route declared: a credential is needed, and 401 is a possible answer.
    expect(document.paths['/metrics']!.get.security).toBeUndefined();
    expect(Object.keys(document.paths['/metrics']!.get.responses)).toContain('401');
    expect(document.paths['/openapi.json']!.get.security).toEqual([]);
  });

  it('refuses bad policy metadata when the router is added, naming the route', () => {
    let thrown: unknown;
    try {
      createApiChannel().addRouter('/admin', hello(), { audit: 'sometimes' as unknown as boolean });
    } catch (error) {
      thrown = error;
    }
    expect(isNexusSetupError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain('/admin');
  });
});
