import { describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createTestApp } from './support/apps.js';
import { addHangingOperation, connectWithStream, serveMcp } from './support/sessions.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const app = createTestApp();
const server = serveMcp(app, { stateful: true });

describe('MCP over HTTP in stateful mode', () => {
  it('keeps a session across requests and pushes tools/list_changed on the GET stream', async () => {
    const { client, transport, streamOpen } = await connectWithStream(server.url);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    expect((await client.callTool({ name: 'echo', arguments: { message: 'in session' } })).structuredContent).toEqual({ message: 'in session' });
    await streamOpen;
    app.handler('late_arrival', { description: 'Registered while a session is open.', input: z.object({}) }, () => ({}));
    await changed;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('late_arrival');
    await transport.terminateSession();
    const after = await fetch(server.url, { method: 'POST', headers: { ...HEADERS, 'mcp-session-id': transport.sessionId ?? 'gone' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(after.status).toBe(404);
    await client.close();
  });

  it('refuses a request without a session id with 400', async () => {
    const response = await fetch(server.url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(response.status).toBe(400);
  });

  it('cancels a call in a session and still completes its request', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    const { running, aborted: seen } = addHangingOperation(app, 'hang');
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
