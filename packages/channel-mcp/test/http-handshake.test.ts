import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createConformanceAuth } from '@nexus/auth/testing';
import { Nexus, silentLogger } from '@nexus/core';
import { createConformanceApp } from '@nexus/core/testing';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import { GOOD_TOKEN, tokenPlugin } from './support/apps.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const post = (url: string, body: unknown, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });

async function serve(app: Nexus, stateful = false): Promise<string> {
  const channel = createMcpChannel({ port: 0, stateful });
  app.addChannel(channel);
  await app.start();
  return channel.address()!.url;
}

describe('the MCP handshake on an app with no public operation', () => {
  let app: Nexus;
  let url: string;
  const observed: string[] = [];
  beforeAll(async () => {
    app = new Nexus({ logger: silentLogger });
    app.addPlugin(tokenPlugin);
    // Stands where audit stands: the observe phase sees every invocation.
    app.use('observe', (ctx, next) => {
      observed.push(ctx.operation);
      return next();
    });
    app.handler('echo', { description: 'Returns its message.', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
    url = await serve(app);
  });
  afterAll(() => app.stop());

  it.each([
    ['initialize', initialize],
    ['ping', { jsonrpc: '2.0', id: 5, method: 'ping' }],
    ['tools/list', { jsonrpc: '2.0', id: 6, method: 'tools/list' }],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }],
  ])('answers %s without a token with 401 and the challenge', async (_label, body) => {
    const response = await post(url, body);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource"$/);
    const answer = (await response.json()) as { id: number | null; error: { data: { code: string } } };
    expect(answer.error.data.code).toBe('UNAUTHENTICATED');
    expect(answer.id).toBe('id' in body ? body.id : null);
  });

  it('refuses a tool call without a token in the pipeline, so it is observed like on every channel', async () => {
    const response = await post(url, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata=/);
    expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe('UNAUTHENTICATED');
    expect(observed).toContain('echo');
  });

  it('answers initialize with a bad token with 401 and invalid_token', async () => {
    const response = await post(url, initialize, { authorization: 'Bearer forged' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", resource_metadata="[^"]+"$/);
  });

  it('lets a valid token through the handshake and the call', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${GOOD_TOKEN}` } } }));
    expect((await client.callTool({ name: 'echo', arguments: { message: 'in' } })).structuredContent).toEqual({ message: 'in' });
    await client.close();
  });

  it('opens no session for a refused handshake in stateful mode', async () => {
    const stateful = new Nexus({ logger: silentLogger });
    stateful.addPlugin(tokenPlugin);
    stateful.handler('echo', { description: 'Returns its message.', input: z.object({}) }, () => ({}));
    const statefulUrl = await serve(stateful, true);
    try {
      const response = await post(statefulUrl, initialize, { authorization: 'Bearer forged' });
      expect(response.status).toBe(401);
      expect(response.headers.get('mcp-session-id')).toBeNull();
    } finally {
      await stateful.stop();
    }
  });
});

describe('the MCP handshake with the auth plugin and audit', () => {
  const auth = createConformanceAuth();
  const { app } = createConformanceApp({ auth });
  let url: string;
  beforeAll(async () => {
    url = await serve(app);
  });
  afterAll(() => app.stop());

  it('refuses initialize with an invalid token, and lets an anonymous one through since public operations exist', async () => {
    expect((await post(url, initialize, { authorization: `Bearer ${await auth.invalidToken()}` })).status).toBe(401);
    const anonymous = await post(url, initialize);
    expect(anonymous.status).toBe(200);
    const listed = (await (await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).json()) as { result: { tools: { name: string }[] } };
    expect(listed.result.tools.map((tool) => tool.name)).toEqual(['public_ping']);
  });

  it('checks the handshake token without writing an audit record', async () => {
    const token = await auth.token({ id: 'handshake-user', roles: ['caller'], tenant: 'tenant-a' });
    const before = auth.auditRecords!().length;
    const response = await post(url, initialize, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe('nexus');
    expect((await post(url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { authorization: `Bearer ${token}` })).status).toBe(200);
    // A later call is audited; records are written in order, so once its record is there, any
    // record of the handshake would be there too.
    const later = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
    expect((await post(url, later, { authorization: `Bearer ${token}` })).status).toBe(200);
    const mine = () => auth.auditRecords!().slice(before).filter((record) => record.principal === 'handshake-user');
    while (!mine().some((record) => record.operation === 'whoami')) await new Promise((resolve) => setImmediate(resolve));
    expect(mine().map((record) => record.operation)).toEqual(['whoami']);
  });
});
