import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';

const secret = 'channel-mcp-tenant-header-secret-32-bytes+';
let app: Nexus;
let url: string;

// tenantIdHeader is the auth plugin's setting; MCP over HTTP must read the requested tenant there, as the API channel does.
beforeAll(async () => {
  app = new Nexus({ logger: silentLogger });
  app.addPlugin(NexusAuthPlugin.saasApp({ jwt: { secret }, rbac: { admin: ['*'] }, tenantIsolation: { tenantIdHeader: 'X-Org', adminRole: 'admin' } }));
  app.handler('tenant_info', { description: 'The resolved tenant.', input: z.object({}) }, (_input, ctx) => ({ tenant: ctx.tenant?.id ?? null }));
  const channel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(() => app.stop());

async function tenantSeen(headers: Record<string, string>): Promise<unknown> {
  const token = createAccessToken({ subject: 'root', key: secret, roles: ['admin'], tenant: 'acme', expiresIn: 600 });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'tenant_info', arguments: {} } }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: { isError?: boolean; content: { text: string }[] } };
  expect(body.result.isError).not.toBe(true);
  return (JSON.parse(body.result.content[0]!.text) as { tenant: unknown }).tenant;
}

describe('the configured tenant header on MCP over HTTP', () => {
  it('is where the requested tenant is read', async () => {
    expect(await tenantSeen({ 'x-org': 'globex' })).toBe('globex');
  });

  it('makes the default header mean nothing', async () => {
    expect(await tenantSeen({ 'x-tenant-id': 'globex' })).toBe('acme');
  });
});
