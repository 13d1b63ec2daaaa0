import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Nexus } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import type { McpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';

let app: Nexus;
let client: Client;
const runs = { count: 0 };

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

const callWithKey = async (n: number, key: unknown) =>
  (await client.callTool({ name: 'tally', arguments: { n }, _meta: { 'nexus/idempotencyKey': key } })) as ToolResult;

beforeAll(async () => {
  app = createTestApp();
  app.handler('tally', { description: 'Counts its runs.', input: z.object({ n: z.number() }) }, () => ({ run: ++runs.count }));
  const channel: McpChannel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(channel.address()!.url)));
});
afterAll(async () => {
  await client?.close();
  await app.stop();
});

describe('_meta["nexus/idempotencyKey"] on tools/call', () => {
  it('replays the stored result, marked _meta["nexus/idempotentReplayed"], without a second run', async () => {
    const first = await callWithKey(1, 'mcp-1');
    const retry = await callWithKey(1, 'mcp-1');
    expect(first._meta?.['nexus/idempotentReplayed']).toBeUndefined();
    expect(retry.structuredContent).toEqual({ run: 1 });
    expect(retry._meta?.['nexus/idempotentReplayed']).toBe(true);
    expect(runs.count).toBe(1);
  });

  it('answers IDEMPOTENCY_MISMATCH (an isError result) for the same key with other arguments', async () => {
    await callWithKey(1, 'mcp-2');
    const other = await callWithKey(2, 'mcp-2');
    expect(other.isError).toBe(true);
    expect(other._meta?.['nexus/error']).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', status: 422 });
  });

  it('refuses a key that is not a string of visible ASCII with INVALID_INPUT', async () => {
    for (const bad of [42, 'with space']) {
      const refused = await callWithKey(1, bad);
      expect(refused._meta?.['nexus/error']).toMatchObject({ code: 'INVALID_INPUT' });
    }
  });
});
