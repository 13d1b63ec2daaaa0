import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import type { McpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';

// A foreign origin: naming it for CORS also lets it past the loopback bind's rebinding check.
const ORIGIN = 'https://app.example.com';
let app: Nexus;
let url: string;

beforeAll(async () => {
  app = createTestApp({ auth: true });
  const channel: McpChannel = createMcpChannel({ port: 0, stateful: true, cors: { origins: [ORIGIN] } });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(() => app.stop());

describe('CORS on the MCP listener', () => {
  it('answers a preflight for POST /mcp from an allowed origin', async () => {
    const response = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-session-id, mcp-protocol-version' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('mcp-session-id');
  });

  it('exposes WWW-Authenticate and Mcp-Session-Id on answers, the 401 challenge included', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer wrong' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'browser', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    expect(exposed).toContain('www-authenticate');
    expect(exposed).toContain('mcp-session-id');
    expect(exposed).toContain('x-request-id');
  });

  it('grants nothing to another origin', async () => {
    const response = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
