import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import type { McpChannel } from '../src/index.js';

const app = new Nexus({ logger: silentLogger });
app.handler(
  'remove',
  {
    description: 'Removes a thing.',
    input: z.object({ id: z.string() }),
    output: z.object({ removed: z.number().int() }),
    annotations: { title: 'Remove a thing', destructive: true, idempotent: true, openWorld: false },
  },
  () => ({ removed: 1 }),
);
app.handler('status', { description: 'Reads.', input: z.object({}), output: z.object({ ok: z.boolean() }), annotations: { readOnly: true } }, () => ({ ok: true }));
app.handler('count', { description: 'A bare number.', input: z.object({}), output: z.number() }, () => 42);
app.handler('liar', { description: 'Breaks its promise.', input: z.object({}), output: z.object({ n: z.number() }) }, () => ({ n: 'x' }) as unknown as { n: number });
app.handler('plain', { description: 'No metadata.', input: z.object({}) }, () => ({}));
let channel: McpChannel;
let client: Client;

beforeAll(async () => {
  channel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  client = new Client({ name: 'metadata-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(channel.address()!.url)));
});
afterAll(async () => {
  await client?.close();
  await app.stop();
});

describe('tools/list carries the operation metadata', () => {
  it('publishes annotations as MCP hints and the title', async () => {
    const { tools } = await client.listTools();
    const remove = tools.find((tool) => tool.name === 'remove')!;
    expect(remove.title).toBe('Remove a thing');
    expect(remove.annotations).toEqual({ title: 'Remove a thing', destructiveHint: true, idempotentHint: true, openWorldHint: false });
    expect(tools.find((tool) => tool.name === 'status')!.annotations).toEqual({ readOnlyHint: true });
    const plain = tools.find((tool) => tool.name === 'plain')!;
    expect(plain.annotations).toBeUndefined();
    expect(plain.outputSchema).toBeUndefined();
  });

  it('publishes output as outputSchema: the result object, or {result} for a bare value', async () => {
    const { tools } = await client.listTools();
    const remove = tools.find((tool) => tool.name === 'remove')!;
    expect(remove.outputSchema).toMatchObject({ type: 'object', anyOf: [{ type: 'object', properties: { removed: { type: 'integer' } }, required: ['removed'] }, { required: ['error'] }] });
    const count = tools.find((tool) => tool.name === 'count')!;
    expect(count.outputSchema).toMatchObject({ type: 'object', anyOf: [{ type: 'object', properties: { result: { type: 'number' } }, required: ['result'] }, { required: ['error'] }] });
  });
});

describe('callTool validates structuredContent against outputSchema', () => {
  it('accepts results that match', async () => {
    await client.listTools();
    expect((await client.callTool({ name: 'remove', arguments: { id: 'a' } })).structuredContent).toEqual({ removed: 1 });
    expect((await client.callTool({ name: 'count', arguments: {} })).structuredContent).toEqual({ result: 42 });
  });

  it('a handler returning the wrong shape is an INTERNAL error result, which the client accepts as an error', async () => {
    await client.listTools();
    const result = await client.callTool({ name: 'liar', arguments: {} });
    expect(result.isError).toBe(true);
    expect((result.structuredContent as { error: { code: string } }).error.code).toBe('INTERNAL');
  });

  it('input errors on a tool with an output schema pass the client validator too', async () => {
    await client.listTools();
    const result = await client.callTool({ name: 'remove', arguments: { id: 5 } });
    expect(result.isError).toBe(true);
    expect((result.structuredContent as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
  });
});
