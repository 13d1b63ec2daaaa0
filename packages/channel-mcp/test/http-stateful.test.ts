import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Nexus } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
let app: Nexus;
let url: string;

beforeAll(async () => {
  app = createTestApp();
  const channel = createMcpChannel({ port: 0, stateful: true });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(() => app.stop());

describe('MCP over HTTP in stateful mode', () => {
  it('keeps a session across requests and pushes tools/list_changed on the GET stream', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    // The client opens its GET stream in the background after initialize: note when the server has answered it.
    let streamOpened!: () => void;
    const streamOpen = new Promise<void>((resolve) => (streamOpened = resolve));
    const watchingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'GET' && response.ok) streamOpened();
      return response;
    };
    const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: watchingFetch });
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    expect((await client.callTool({ name: 'echo', arguments: { message: 'in session' } })).structuredContent).toEqual({ message: 'in session' });
    await streamOpen;
    app.handler('late_arrival', { description: 'Registered while a session is open.', input: z.object({}) }, () => ({}));
    await changed;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('late_arrival');
    await transport.terminateSession();
    const after = await fetch(url, { method: 'POST', headers: { ...HEADERS, 'mcp-session-id': transport.sessionId ?? 'gone' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(after.status).toBe(404);
    await client.close();
  });

  it('refuses a request without a session id with 400', async () => {
    const response = await fetch(url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(response.status).toBe(400);
  });

  it('cancels a call in a session and still completes its request', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let aborted!: (reason: unknown) => void;
    const seen = new Promise<unknown>((resolve) => (aborted = resolve));
    // A deadline past the test's own: only the cancellation can end this handler in time.
    app.handler('hang', { description: 'Waits for its signal.', input: z.object({}), timeoutMs: 60_000 }, (_input, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted(ctx.signal.reason);
          reject(ctx.signal.reason);
        }, { once: true });
        started();
      }),
    );
    const controller = new AbortController();
    const call = client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: controller.signal, timeout: 60_000 });
    call.catch(() => {}); // awaited below
    await running;
    controller.abort();
    await expect(call).rejects.toThrow(/abort/i);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'after' } })).structuredContent).toEqual({ message: 'after' });
    expect(((await seen) as { code?: string }).code).toBe('CANCELLED');
    await client.close();
  });
});
