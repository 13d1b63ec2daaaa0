import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { serveMcpStdio } from '../src/index.js';
import { createTestApp } from './support/apps.js';

const bin = fileURLToPath(new URL('../dist/bin/stdio.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/conformance-app.mjs', import.meta.url));

/** Collects a stream's lines and waits for the next one matching a predicate (bounded). */
function lineReader(stream: NodeJS.ReadableStream) {
  const lines: string[] = [];
  let buffer = '';
  const waiters = new Set<() => void>();
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let index;
    while ((index = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
    }
    for (const waiter of waiters) waiter();
  });
  return {
    lines,
    async next(match: (message: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < lines.length; seen++) {
          const message = JSON.parse(lines[seen]!) as Record<string, unknown>;
          if (match(message)) return message;
        }
        if (Date.now() > deadline) throw new Error(`no matching line; got ${lines.join('\n')}`);
        await new Promise<void>((resolve) => {
          waiters.add(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

describe('MCP over stdio (spawned process)', () => {
  let child: ChildProcessWithoutNullStreams;
  let stdout: ReturnType<typeof lineReader>;
  let stderr = '';
  const send = (line: string) => child.stdin.write(`${line}\n`);

  beforeAll(() => {
    child = spawn(process.execPath, [bin, fixture], { env: { PATH: process.env.PATH ?? '' } });
    stdout = lineReader(child.stdout);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  });
  afterAll(async () => {
    child.stdin.end();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  });

  it('answers a garbage line with -32700 and keeps serving', async () => {
    send('this is not json');
    expect(await stdout.next((message) => message.id === null)).toMatchObject({ error: { code: -32700 } });
    send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'still here' } } }));
    expect(await stdout.next((message) => message.id === 1)).toMatchObject({ result: { structuredContent: { message: 'still here' } } });
  });

  it('answers a JSON line that is not JSON-RPC with -32600, and an unknown method with -32601', async () => {
    send(JSON.stringify({ id: 7, hello: 'world' }));
    expect(await stdout.next((message) => message.id === 7)).toMatchObject({ error: { code: -32600 } });
    send(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'no/such_method' }));
    expect(await stdout.next((message) => message.id === 8)).toMatchObject({ error: { code: -32601 } });
  });

  it.each([
    ['tools/call without a name', 11, { method: 'tools/call', params: { arguments: {} } }],
    ['tools/call without params', 12, { method: 'tools/call' }],
    ['resources/read with a numeric uri', 13, { method: 'resources/read', params: { uri: 5 } }],
  ])('answers %s with -32602 and a one-line message, and keeps serving', async (_label, id, request) => {
    send(JSON.stringify({ jsonrpc: '2.0', id, ...request }));
    const answer = (await stdout.next((message) => message.id === id)) as { error: { code: number; message: string } };
    expect(answer.error.code).toBe(-32602);
    expect(answer.error.message).toMatch(/^Invalid params: /);
    expect(answer.error.message).not.toContain('\n');
    expect(answer.error.message.length).toBeLessThan(200);
    send(JSON.stringify({ jsonrpc: '2.0', id: id + 100, method: 'ping' }));
    expect(await stdout.next((message) => message.id === id + 100)).toMatchObject({ result: {} });
  });

  it('runs calls anonymously when NEXUS_TOKEN is absent and no auth is installed', async () => {
    send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } }));
    expect(await stdout.next((message) => message.id === 9)).toMatchObject({ result: { structuredContent: { principal: null, channel: 'mcp' } } });
  });

  it('writes nothing but JSON-RPC messages to stdout; logs go to stderr', async () => {
    send(JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'ping' }));
    await stdout.next((message) => message.id === 10);
    for (const line of stdout.lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toContain('conformance app loaded');
    expect(stderr).toContain('raw stdout write while loading');
  });
});

describe('serveMcpStdio in process', () => {
  it('announces tools/list_changed when operations are registered or removed at runtime', async () => {
    const app = createTestApp();
    const input = new PassThrough();
    const output = new PassThrough();
    const reader = lineReader(output);
    const server = serveMcpStdio(app, { input, output, env: {} });
    input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
    expect(await reader.next((message) => message.id === 1)).toMatchObject({ result: { capabilities: { tools: { listChanged: true } } } });
    app.handler('added_later', { description: 'Registered at runtime.', input: z.object({}) }, () => ({}));
    await reader.next((message) => message.method === 'notifications/tools/list_changed');
    input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
    const listed = (await reader.next((message) => message.id === 2)) as { result: { tools: { name: string }[] } };
    expect(listed.result.tools.map((tool) => tool.name)).toContain('added_later');
    const before = reader.lines.length;
    app.deregister('added_later');
    await reader.next((message) => message.method === 'notifications/tools/list_changed' && reader.lines.length > before);
    input.end();
    await server.closed;
  });

  it('reads the credential and tenant from NEXUS_TOKEN and NEXUS_TENANT', async () => {
    const app = createTestApp({ auth: true });
    const input = new PassThrough();
    const output = new PassThrough();
    const reader = lineReader(output);
    const server = serveMcpStdio(app, { input, output, env: { NEXUS_TOKEN: 'good-token', NEXUS_TENANT: 'tenant-z' } });
    input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'trace', arguments: {} } })}\n`);
    expect(await reader.next((message) => message.id === 1)).toMatchObject({ result: { structuredContent: { tenant: 'tenant-z' } } });
    await server.close();
  });

  it('refuses calls as UNAUTHENTICATED tool errors when NEXUS_TOKEN is bad', async () => {
    const app = createTestApp({ auth: true });
    const input = new PassThrough();
    const output = new PassThrough();
    const reader = lineReader(output);
    const server = serveMcpStdio(app, { input, output, env: { NEXUS_TOKEN: 'forged' } });
    input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } })}\n`);
    expect(await reader.next((message) => message.id === 1)).toMatchObject({ result: { isError: true, structuredContent: { error: { code: 'UNAUTHENTICATED' } } } });
    await server.close();
  });
});
