import { afterAll, beforeAll } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Nexus } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../../src/index.js';
import type { McpHttpOptions } from '../../src/index.js';

/**
 * Serves `app` on the MCP HTTP channel (a free port, then `options`) to the tests of the calling
 * file: it starts before them and stops after them. `url` is where, once started.
 */
export function serveMcp(app: Nexus, options: McpHttpOptions = {}): { readonly url: string } {
  const channel = createMcpChannel({ port: 0, ...options });
  app.addChannel(channel);
  let url: string | undefined;
  beforeAll(async () => {
    await app.start();
    url = channel.address()!.url;
  });
  afterAll(() => app.stop());
  return {
    get url() {
      if (url === undefined) throw new Error('the server starts in beforeAll: read url inside a test');
      return url;
    },
  };
}

/**
 * A client connected to a stateful server, with `streamOpen` resolving once the server answered
 * the session's GET stream, which the client opens in the background after initialize: what the
 * server pushes before then is not delivered.
 */
export async function connectWithStream(url: string, name = 'test'): Promise<{ client: Client; transport: StreamableHTTPClientTransport; streamOpen: Promise<void> }> {
  let streamOpened!: () => void;
  const streamOpen = new Promise<void>((resolve) => (streamOpened = resolve));
  const watchingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (init?.method === 'GET' && response.ok) streamOpened();
    return response;
  };
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: watchingFetch });
  await client.connect(transport);
  return { client, transport, streamOpen };
}

/**
 * Registers `name`, an operation that runs until its signal aborts (its deadline is past any
 * test's, so only a cancellation ends it in time): `running` resolves once a call is inside it,
 * `aborted` with the reason its signal gave.
 */
export function addHangingOperation(app: Nexus, name: string): { running: Promise<void>; aborted: Promise<unknown> } {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  let abortedWith!: (reason: unknown) => void;
  const aborted = new Promise<unknown>((resolve) => (abortedWith = resolve));
  app.handler(name, { description: 'Waits for its signal.', input: z.object({}), timeoutMs: 60_000 }, (_input, ctx) =>
    new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        abortedWith(ctx.signal.reason);
        reject(ctx.signal.reason);
      }, { once: true });
      started();
    }),
  );
  return { running, aborted };
}
