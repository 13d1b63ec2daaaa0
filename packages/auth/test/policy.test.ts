import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, resolvePolicy, silentLogger } from '@nexus/core';
import type { InvocationInit, Policy } from '@nexus/core';
import type { AuditRecord } from '../src/audit/index.js';
import { NexusAuthPlugin } from '../src/plugin.js';
import type { NexusAuthOptions } from '../src/plugin.js';
import { createAccessToken } from '../src/tokens.js';
import { SECRET } from './helpers.js';

/** How each channel presents the same call: HTTP with its execute path, MCP with its endpoint, the CLI with none. */
const CHANNELS: readonly [string, (operation: string) => Partial<InvocationInit>][] = [
  ['api', (operation) => ({ transport: { method: 'POST', path: `/workflows/${operation}/execute` } })],
  ['mcp', () => ({ transport: { method: 'POST', path: '/mcp' } })],
  ['cli', () => ({})],
];

function build(options: Partial<NexusAuthOptions> = {}) {
  const records: AuditRecord[] = [];
  const app = new Nexus({ logger: silentLogger });
  app.addPlugin(new NexusAuthPlugin({
    jwt: { secret: SECRET },
    rbac: { member: ['execute:*'] },
    tenantIsolation: true,
    audit: { backend: (record) => void records.push(record), logRequestBody: true, logResponseBody: true },
    rateLimit: { requestsPerMinute: 1000, burstSize: 0, operationLimits: { reports: { requestsPerMinute: 2, burstSize: 0 } } },
    ...options,
  }));
  const echo = (input: unknown) => ({ ...(input as object) });
  app.handler('plain', { description: 'Declares nothing.', input: z.looseObject({}) }, echo);
  app.handler('quiet', { description: 'Never audited.', input: z.looseObject({}), audit: false }, echo);
  app.handler('sensitive', { description: 'Audited without bodies.', input: z.looseObject({}), audit: 'metadata-only' }, echo);
  app.handler('platform', { description: 'Needs no tenant.', input: z.looseObject({}), tenantRequired: false }, echo);
  app.handler('daily', { description: 'Spends the reports budget.', input: z.looseObject({}), limitGroup: 'reports' }, echo);
  app.handler('weekly', { description: 'Spends the reports budget too.', input: z.looseObject({}), limitGroup: 'reports' }, echo);
  app.handler('unmetered', { description: 'Never rate limited.', input: z.looseObject({}), limitGroup: false }, echo);
  return { app, records };
}

const token = (subject: string, tenant?: string) =>
  createAccessToken({ subject, key: SECRET, roles: ['member'], ...(tenant === undefined ? {} : { tenant }) });

const invoke = (app: Nexus, channel: string, operation: string, bearer: string | undefined, input: Record<string, unknown> = {}) => {
  const shape = CHANNELS.find(([name]) => name === channel)![1](operation);
  return app.invoke({ channel, operation, input, credential: bearer === undefined ? { kind: 'none' } : { kind: 'bearer', token: bearer }, ...shape });
};

const route = (app: Nexus, path: string, policy?: Policy, bearer?: string) =>
  app.dispatch({
    purpose: 'route',
    channel: 'api',
    credential: bearer === undefined ? { kind: 'none' } : { kind: 'bearer', token: bearer },
    transport: { method: 'GET', path },
    route: (ctx) => ({ principal: ctx.principal?.id ?? null }),
    ...(policy === undefined ? {} : { policy }),
  });

describe.each(CHANNELS.map(([name]) => name))('policy metadata decides the same on %s', (channel) => {
  it('writes no audit record for an operation declaring audit: false, and one for the others', async () => {
    const { app, records } = build();
    const bearer = token('ann', 'acme');
    expect((await invoke(app, channel, 'quiet', bearer)).ok).toBe(true);
    expect((await invoke(app, channel, 'quiet', undefined)).ok).toBe(false);
    expect((await invoke(app, channel, 'plain', bearer)).ok).toBe(true);
    expect(records.map((record) => record.operation)).toEqual(['plain']);
  });

  it("keeps bodies out of a metadata-only operation's record, even with body logging on", async () => {
    const { app, records } = build();
    expect((await invoke(app, channel, 'sensitive', token('ann', 'acme'), { ssn_like: 'kept-out' })).ok).toBe(true);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: 'sensitive', outcome: 'allowed', principal: 'ann' });
    expect(records[0]).not.toHaveProperty('requestBody');
    expect(records[0]).not.toHaveProperty('responseBody');
  });

  it('serves a caller without a tenant an operation declaring tenantRequired: false, and refuses the others', async () => {
    const { app } = build();
    const bearer = token('tenantless');
    expect((await invoke(app, channel, 'platform', bearer)).ok).toBe(true);
    const refused = await invoke(app, channel, 'plain', bearer);
    expect(!refused.ok && refused.error.code).toBe('TENANT_REQUIRED');
  });

  it('requires a tenant where an operation declares tenantRequired: true, although the plugin does not', async () => {
    const { app } = build({ tenantIsolation: { required: false } });
    app.handler('strict', { description: 'Needs a tenant.', input: z.object({}), tenantRequired: true }, () => ({}));
    const bearer = token('tenantless');
    expect((await invoke(app, channel, 'plain', bearer)).ok).toBe(true);
    const refused = await invoke(app, channel, 'strict', bearer);
    expect(!refused.ok && refused.error.code).toBe('TENANT_REQUIRED');
  });

  it('makes operations of one limit group share one budget, and never limits limitGroup: false', async () => {
    const { app } = build({ rateLimit: { requestsPerMinute: 1, burstSize: 0, operationLimits: { reports: { requestsPerMinute: 2, burstSize: 0 } } } });
    const bearer = token('ann', 'acme');
    const decisions: string[] = [];
    for (const operation of ['daily', 'weekly', 'daily']) decisions.push((await invoke(app, channel, operation, bearer)).ok ? '+' : '-');
    expect(decisions.join('')).toBe('++-');
    for (let i = 0; i < 5; i++) expect((await invoke(app, channel, 'unmetered', bearer)).ok).toBe(true);
  });
});

describe('policy metadata of native routes', () => {
  it('admits anonymous callers, and callers with a bad credential, to a route declaring public', async () => {
    const { app } = build();
    const open = resolvePolicy('route /status', { public: true });
    expect((await route(app, '/status', open)).ok).toBe(true);
    expect((await route(app, '/status', open, 'not.a.token')).ok).toBe(true);
    const closed = await route(app, '/status');
    expect(!closed.ok && closed.error.code).toBe('UNAUTHENTICATED');
  });

  it('opens no route by its path: /health and /metrics without a declared policy need a credential', async () => {
    const { app } = build();
    for (const path of ['/health', '/metrics', '/openapi.json', '/.well-known/oauth-protected-resource']) {
      const result = await route(app, path);
      expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('follows audit, tenantRequired and limitGroup of a route', async () => {
    const { app, records } = build({ rateLimit: { requestsPerMinute: 1, burstSize: 0 } });
    const bearer = token('tenantless');
    const declared = resolvePolicy('route /admin', { audit: false, tenantRequired: false, limitGroup: false });
    for (let i = 0; i < 3; i++) expect((await route(app, '/admin/stats', declared, bearer)).ok).toBe(true);
    expect(records).toEqual([]);
    const plain = await route(app, '/admin/stats', undefined, bearer);
    expect(!plain.ok && plain.error.code).toBe('TENANT_REQUIRED');
    expect(records.map((record) => record.path)).toEqual(['/admin/stats']);
  });

  it('lets a route join an operation limit group', async () => {
    const { app } = build();
    const bearer = token('ann', 'acme');
    const grouped = resolvePolicy('route /reports', { limitGroup: 'reports' });
    expect((await route(app, '/reports/today', grouped, bearer)).ok).toBe(true);
    expect((await invoke(app, 'cli', 'daily', bearer)).ok).toBe(true);
    const refused = await route(app, '/reports/today', grouped, bearer);
    expect(!refused.ok && refused.error.code).toBe('RATE_LIMITED');
  });
});

describe('path options apply to native HTTP routes only, matched against the real path', () => {
  it('jwt.exemptPaths opens a native route, never an operation served at a matching path', async () => {
    const { app } = build({ jwt: { secret: SECRET, exemptPaths: ['/status', '/workflows/*'] } });
    expect((await route(app, '/status')).ok).toBe(true);
    const call = await invoke(app, 'api', 'plain', undefined);
    expect(!call.ok && call.error.code).toBe('UNAUTHENTICATED');
  });

  it('tenantIsolation.excludePaths serves a native route without a tenant, never an operation', async () => {
    const { app } = build({ tenantIsolation: { excludePaths: ['/admin/*', '/workflows/*'] } });
    const bearer = token('tenantless');
    expect((await route(app, '/admin/stats', undefined, bearer)).ok).toBe(true);
    const call = await invoke(app, 'api', 'plain', bearer);
    expect(!call.ok && call.error.code).toBe('TENANT_REQUIRED');
  });

  it('audit.excludePaths skips a native route, never an operation (declare audit: false on it)', async () => {
    const records: AuditRecord[] = [];
    const { app } = build({ audit: { backend: (record) => void records.push(record), excludePaths: ['/status', '/workflows/*'] } });
    const bearer = token('ann', 'acme');
    await route(app, '/status', undefined, bearer);
    for (const [channel] of CHANNELS) await invoke(app, channel, 'plain', bearer);
    expect(records.map((record) => `${record.channel}:${record.operation}`)).toEqual(['api:plain', 'mcp:plain', 'cli:plain']);
  });

  it('routeLimits limit a native route by its path, never an operation call', async () => {
    const { app } = build({ rateLimit: { requestsPerMinute: 1000, routeLimits: { '/admin/*': { requestsPerMinute: 1 }, '/workflows/*': { requestsPerMinute: 1 }, '/mcp': { requestsPerMinute: 1 } } } });
    const bearer = token('ann', 'acme');
    expect((await route(app, '/admin/stats', undefined, bearer)).ok).toBe(true);
    const second = await route(app, '/admin/stats', undefined, bearer);
    expect(!second.ok && second.error.code).toBe('RATE_LIMITED');
    for (const [channel] of CHANNELS) for (let i = 0; i < 3; i++) expect((await invoke(app, channel, 'plain', bearer)).ok).toBe(true);
  });
});
