import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { NexusAuthPlugin } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { wwwAuthenticate } from '@nexus/core/protocol';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import { GOOD_TOKEN, createTestApp } from './support/apps.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
let app: Nexus;
let url: string;
let base: string;

const post = (body: unknown, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });
const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const callEcho = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } };

beforeAll(async () => {
  app = createTestApp({ auth: true });
  const channel = createMcpChannel({ port: 0, issuer: 'https://issuer.example' });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
  base = url.replace(/\/mcp$/, '');
});
afterAll(() => app.stop());

describe('MCP over HTTP with authentication installed', () => {
  it('answers a call without a token with 401 and a resource_metadata challenge', async () => {
    const response = await post(callEcho);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${base}/.well-known/oauth-protected-resource"`);
    const body = (await response.json()) as { id: number; error: { data: { code: string } } };
    expect(body.id).toBe(1);
    expect(body.error.data.code).toBe('UNAUTHENTICATED');
  });

  it('answers a bad token with 401 and invalid_token, without saying why', async () => {
    const response = await post(callEcho, { authorization: 'Bearer forged' });
    expect(response.status).toBe(401);
    // core's wwwAuthenticate(), so the HTTP API and MCP send the same challenge
    expect(response.headers.get('www-authenticate')).toBe(wwwAuthenticate({ tokenWasSent: true, resourceMetadata: `${base}/.well-known/oauth-protected-resource` }));
    expect(await response.text()).not.toMatch(/signature|expired|forged/i);
  });

  it('answers a listing with a bad token with 401', async () => {
    const response = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { authorization: 'Bearer forged' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe('UNAUTHENTICATED');
  });

  it('lets an anonymous handshake through, so public tools stay reachable', async () => {
    expect((await post(initialize)).status).toBe(200);
  });

  it('serves RFC 9728 metadata naming the MCP URL and the issuer', async () => {
    const challenge = (await post(callEcho)).headers.get('www-authenticate')!;
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1]!;
    const response = await fetch(metadataUrl);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as { resource: string; authorization_servers: string[]; bearer_methods_supported: string[] };
    expect(metadata.resource).toBe(url);
    expect(metadata.authorization_servers).toEqual(['https://issuer.example']);
    expect(metadata.bearer_methods_supported).toEqual(['header']);
  });

  it('runs a public operation without a token', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const result = await client.callTool({ name: 'public_ping', arguments: {} });
    expect(result.structuredContent).toEqual({ pong: true });
    await client.close();
  });

  it('serves a valid token end to end through the SDK client', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${GOOD_TOKEN}` } } }));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('echo');
    expect((await client.callTool({ name: 'echo', arguments: { message: 'ok' } })).structuredContent).toEqual({ message: 'ok' });
    await client.close();
  });

  it('lets the SDK client see the 401 for a bad token at the handshake', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: 'Bearer forged' } } }))).rejects.toThrow(/401/);
    await client.close();
  });
});

describe('protected-resource metadata without an issuer option', () => {
  it('lists the issuer the auth plugin verifies tokens for', async () => {
    const withIssuer = new Nexus({ logger: silentLogger });
    withIssuer.addPlugin(new NexusAuthPlugin({ jwt: { secret: 'a-secret-of-at-least-32-characters!!', issuer: 'https://id.example.com' } }));
    withIssuer.handler('echo', { description: 'Returns its message.', input: z.object({}) }, () => ({}));
    const channel = createMcpChannel({ port: 0 });
    withIssuer.addChannel(channel);
    await withIssuer.start();
    try {
      const origin = channel.address()!.url.replace(/\/mcp$/, '');
      const metadata = (await (await fetch(`${origin}/.well-known/oauth-protected-resource`)).json()) as { authorization_servers?: string[] };
      expect(metadata.authorization_servers).toEqual(['https://id.example.com']);
    } finally {
      await withIssuer.stop();
    }
  });
});

describe('an OAuth client looking for an authorization server on the MCP port', () => {
  it.each(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration', '/register', '/authorize', '/token'])(
    'is told at %s that this is a resource server and where to look',
    async (path) => {
      const plain = new Nexus({ logger: silentLogger });
      plain.handler('echo', { description: 'Returns its message.', input: z.object({}) }, () => ({}));
      const channel = createMcpChannel({ port: 0 });
      plain.addChannel(channel);
      await plain.start();
      try {
        const origin = channel.address()!.url.replace(/\/mcp$/, '');
        const response = await fetch(`${origin}${path}`, { method: path === '/register' || path === '/token' ? 'POST' : 'GET' });
        expect(response.status).toBe(404);
        const body = (await response.json()) as { error: string; error_description: string };
        expect(body.error).toBe('not_found');
        expect(body.error_description).toMatch(/not an authorization server.*oauth-protected-resource/);
      } finally {
        await plain.stop();
      }
    },
  );
});
