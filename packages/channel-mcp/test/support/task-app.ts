import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Nexus } from '@nexus/core';
import { z } from 'zod';
import { serveMcpStdio } from '../../src/index.js';
import type { McpStdioServer } from '../../src/index.js';

/** A promise with its resolver, for handlers a test releases when it is ready. */
function deferred<T = undefined>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * Long-running operations whose progress and end the test controls: `gated` reports step 1,
 * then waits until `release(key)` (or its signal), reports step 2 and returns `{key}`.
 */
export function addGatedOperations(app: Nexus) {
  const gates = new Map<string, ReturnType<typeof deferred>>();
  const started = new Map<string, ReturnType<typeof deferred<AbortSignal>>>();
  const gateOf = (key: string) => gates.get(key) ?? gates.set(key, deferred()).get(key)!;
  const startOf = (key: string) => started.get(key) ?? started.set(key, deferred<AbortSignal>()).get(key)!;
  const runs = new Map<string, number>();
  app.handler('gated', { description: 'Runs until the test releases it.', input: z.object({ key: z.string() }), longRunning: true }, async ({ key }, ctx) => {
    runs.set(key, (runs.get(key) ?? 0) + 1);
    ctx.progress(1, 2, 'started');
    startOf(key).resolve(ctx.signal);
    await new Promise<void>((resolve, reject) => {
      void gateOf(key).promise.then(() => resolve());
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    ctx.progress(2, 2, 'done');
    return { key };
  });
  app.handler('broken_report', { description: 'Fails on its worker.', input: z.object({}), longRunning: true }, () => {
    throw new Error('secret database password in this message');
  });
  return {
    /** Settles with the handler's signal once the job of `key` runs. */
    started: (key: string) => startOf(key).promise,
    release: (key: string) => gateOf(key).resolve(undefined),
    runs: (key: string) => runs.get(key) ?? 0,
  };
}

/** The SDK's client on a stdio server in this process: newline-delimited JSON over a pair of streams. */
export async function stdioClient(app: Nexus, env: Record<string, string> = {}): Promise<{ client: Client; server: McpStdioServer }> {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const server = serveMcpStdio(app, { input: toServer, output: fromServer, env });
  const buffer = new ReadBuffer();
  const transport: Transport = {
    async start() {
      fromServer.on('data', (chunk: Buffer) => {
        buffer.append(chunk);
        for (let message = buffer.readMessage(); message !== null; message = buffer.readMessage()) transport.onmessage?.(message);
      });
    },
    async send(message: JSONRPCMessage) {
      toServer.write(serializeMessage(message));
    },
    async close() {
      toServer.end();
      await server.close();
      transport.onclose?.();
    },
  };
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, server };
}
