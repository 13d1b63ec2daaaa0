import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Nexus } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import type { McpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';
import { addHangingOperation } from './support/sessions.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
let app: Nexus;
let channel: McpChannel;
let url: string;

const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), ...(signal ? { signal } : {}) });
const call = (name: string, args: unknown, meta?: Record<string, unknown>) =>
  post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });

beforeAll(async () => {
  app = createTestApp();
  channel = createMcpChannel({ port: 0, maxBodyBytes: 4096 });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(() => app.stop());

describe('MCP over Streamable HTTP', () => {
  it('lists one tool per operation with its JSON Schema as inputSchema', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { tools } = await client.listTools();
    const echo = tools.find((tool) => tool.name === 'echo');
    expect(echo?.description).toBe('Returns its message.');
    expect(echo?.inputSchema).toMatchObject({ type: 'object', properties: { message: { type: 'string' } }, required: ['message'] });
    await client.close();
  });

  it('states type object on a union of object inputs, so clients accept the whole list', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const shape = (await client.listTools()).tools.find((tool) => tool.name === 'shape');
    expect(shape?.inputSchema).toMatchObject({ type: 'object', anyOf: [{ properties: { radius: {} } }, { properties: { side: {} } }] });
    expect((await client.callTool({ name: 'shape', arguments: { side: 2 } })).structuredContent).toEqual({ side: 2 });
    await client.close();
  });

  it('returns structured content and the same JSON as text', async () => {
    const body = (await (await call('echo', { message: 'hi' })).json()) as { result: { structuredContent: unknown; content: { text: string }[] } };
    expect(body.result.structuredContent).toEqual({ message: 'hi' });
    expect(JSON.parse(body.result.content[0]!.text)).toEqual({ message: 'hi' });
  });

  it('wraps a non-object result as {result: value}', async () => {
    const body = (await (await call('count', {})).json()) as { result: { structuredContent: unknown } };
    expect(body.result.structuredContent).toEqual({ result: 42 });
  });

  it('answers an unknown tool with JSON-RPC error -32602 carrying NOT_FOUND', async () => {
    const body = (await (await call('nope', {})).json()) as { id: number; error: { code: number; message: string; data: { code: string } } };
    expect(body).toMatchObject({ id: 1, error: { code: -32602, message: 'Unknown tool: nope', data: { code: 'NOT_FOUND' } } });
  });

  it('answers INVALID_INPUT with field paths, in the problem and in the text', async () => {
    const body = (await (await call('echo', { message: 7 })).json()) as { result: { structuredContent: { error: { code: string; errors: { path: string }[] } }; content: { text: string }[] } };
    expect(body.result.structuredContent.error.code).toBe('INVALID_INPUT');
    expect(body.result.structuredContent.error.errors.map((error) => error.path)).toEqual(['message']);
    expect(body.result.content[0]!.text).toMatch(/^INVALID_INPUT: .*\n- message: /);
  });

  it('carries the request id and traceparent from _meta into the context', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const response = await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'trace', arguments: {}, _meta: { 'nexus/requestId': 'req-42', traceparent } } }, { 'x-tenant-id': 'tenant-b' });
    const body = (await response.json()) as { result: { structuredContent: Record<string, unknown>; _meta: Record<string, unknown> } };
    expect(body.result.structuredContent).toEqual({ requestId: 'req-42', traceparent, tenant: 'tenant-b' });
    expect(body.result._meta['nexus/requestId']).toBe('req-42');
  });

  it('streams progress notifications when the client sends a progress token', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const seen: number[] = [];
    const result = await client.callTool({ name: 'progress', arguments: {} }, undefined, { onprogress: (progress) => seen.push(progress.progress) });
    expect(result.structuredContent).toEqual({ done: true });
    expect(seen).toEqual([1, 2, 3]);
    await client.close();
  });

  it('keeps concurrent clients apart when they use the same JSON-RPC id', async () => {
    const bodies = await Promise.all(
      ['progress', 'echo', 'count'].map(async (name) => {
        const response = await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: name === 'echo' ? { message: 'mine' } : {} } });
        return (await response.json()) as { id: number; result: { structuredContent: unknown } };
      }),
    );
    expect(bodies.map((body) => body.id)).toEqual([1, 1, 1]);
    expect(bodies.map((body) => body.result.structuredContent)).toEqual([{ done: true }, { message: 'mine' }, { result: 42 }]);
  });

  it('cancels the handler when the client disconnects mid-call', async () => {
    const { running, aborted: seen } = addHangingOperation(app, 'hang_until_gone');
    const controller = new AbortController();
    const pending = post({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'hang_until_gone', arguments: {} } }, {}, controller.signal).catch(() => undefined);
    await running;
    controller.abort();
    await pending;
    expect(((await seen) as { code?: string }).code).toBe('CANCELLED');
    const after = (await (await call('echo', { message: 'next' })).json()) as { result: { structuredContent: unknown } };
    expect(after.result.structuredContent).toEqual({ message: 'next' });
  });

  it('answers malformed JSON with a -32700 parse error', async () => {
    const response = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('answers an unknown method with -32601', async () => {
    const body = (await (await post({ jsonrpc: '2.0', id: 3, method: 'no/such_method', params: {} })).json()) as { id: number; error: { code: number } };
    expect(body).toMatchObject({ id: 3, error: { code: -32601 } });
  });

  it.each([
    ['tools/call without a name', { method: 'tools/call', params: { arguments: {} } }, 'params.name'],
    ['tools/call with a numeric name', { method: 'tools/call', params: { name: 7 } }, 'params.name'],
    ['resources/read without a uri', { method: 'resources/read', params: {} }, 'params.uri'],
  ])('answers %s with -32602 Invalid params naming the field, in one short line', async (_label, request, field) => {
    const response = await post({ jsonrpc: '2.0', id: 4, ...request });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: number; error: { code: number; message: string } };
    expect(body.id).toBe(4);
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).toMatch(new RegExp(`^Invalid params: ${field.replace('.', '\\.')}: `));
    expect(body.error.message).not.toContain('\n');
    expect(body.error.message.length).toBeLessThan(200);
  });

  it('answers each malformed request of a batch with -32602 and the valid ones normally', async () => {
    const response = await post([
      { jsonrpc: '2.0', id: 'bad', method: 'tools/call', params: { arguments: {} } },
      { jsonrpc: '2.0', id: 'good', method: 'tools/call', params: { name: 'echo', arguments: { message: 'ok' } } },
    ]);
    const answers = (await response.json()) as { id: string; error?: { code: number }; result?: { structuredContent: unknown } }[];
    expect(answers.find((answer) => answer.id === 'bad')?.error?.code).toBe(-32602);
    expect(answers.find((answer) => answer.id === 'good')?.result?.structuredContent).toEqual({ message: 'ok' });
  });

  it('answers a message that is not JSON-RPC with -32600', async () => {
    const response = await post({ hello: 'world' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await call('echo', { message: 'x'.repeat(5000) });
    expect(response.status).toBe(413);
  });

  it.each(['GET', 'DELETE'])('answers %s on /mcp with 405 in stateless mode', async (method) => {
    const response = await fetch(url, { method, headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['a foreign Host', { host: 'evil.example:3001' }],
    ['a foreign Origin', { origin: 'http://evil.example' }],
  ])('refuses %s on a loopback bind with 403', async (_label, headers) => {
    const { request } = await import('node:http');
    const { port } = channel.address()!;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...HEADERS, ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    });
    expect(status).toBe(403);
  });

  it('accepts a loopback Origin', async () => {
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'http://localhost:5173' })).status).toBe(200);
  });

  it('answers notifications alone with 202 and no body', async () => {
    const response = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
  });

  it('serves the catalogue and one entry as resources', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual(expect.arrayContaining(['nexus://operations', 'nexus://operations/echo']));
    const catalogue = await client.readResource({ uri: 'nexus://operations' });
    const names = (JSON.parse((catalogue.contents[0] as { text: string }).text) as { operations: { name: string }[] }).operations.map((operation) => operation.name);
    expect(names).toContain('echo');
    const entry = await client.readResource({ uri: 'nexus://operations/echo' });
    expect(JSON.parse((entry.contents[0] as { text: string }).text)).toMatchObject({ name: 'echo', inputSchema: { type: 'object' } });
    await expect(client.readResource({ uri: 'nexus://operations/nope' })).rejects.toThrow(/not found/i);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates[0]?.uriTemplate).toBe('nexus://operations/{name}');
    await client.close();
  });
});
