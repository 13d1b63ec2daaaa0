import { Agent, request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import { createApiChannel } from '../src/index.js';

/**
 * The caller leaving cancels its call: the connection closing before the answer aborts the
 * handler's signal. Calls that already ended on a kept-alive connection are not touched, and
 * a long-lived connection gathers no listeners call after call.
 */
let app: Nexus;
let port: number;
const aborted: unknown[] = [];
let holding: (() => void) | undefined;
let abortSeen: ((reason: unknown) => void) | undefined;

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger });
  app.handler('echo', { description: 'Echo.', input: z.object({ message: z.string() }), public: true }, ({ message }) => ({ message }));
  app.handler('hold', { description: 'Waits until its caller leaves.', input: z.object({}), public: true }, (_input, ctx) =>
    new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted.push(ctx.signal.reason);
        abortSeen?.(ctx.signal.reason);
        reject(ctx.signal.reason as Error);
      }, { once: true });
      holding?.();
    }));
  const api = createApiChannel({ port: 0, host: '127.0.0.1' });
  app.addChannel(api);
  await app.start();
  port = api.address()!.port;
});
afterAll(() => app.stop());

function post(agent: Agent, operation: string, inputs: unknown): { req: ClientRequest; done: Promise<{ status: number; body: string; socket: unknown }> } {
  const body = JSON.stringify({ inputs });
  let req!: ClientRequest;
  const done = new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
    req = request({ host: '127.0.0.1', port, agent, method: 'POST', path: `/workflows/${operation}/execute`, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, body: text, socket: req.socket }));
    });
    req.once('error', reject);
    req.end(body);
  });
  return { req, done };
}

describe('cancellation when the caller leaves', () => {
  it('serves many calls on one kept-alive connection without cancelling them or gathering listeners, then cancels the one in flight when it closes', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<unknown>();
      for (let i = 0; i < 40; i++) {
        const answer = await post(agent, 'echo', { message: `m${i}` }).done;
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body).result).toEqual({ message: `m${i}` });
        sockets.add(answer.socket);
      }
      expect(sockets.size).toBe(1);
      expect(aborted).toEqual([]);

      const started = new Promise<void>((resolve) => (holding = resolve));
      const reason = new Promise<unknown>((resolve) => (abortSeen = resolve));
      const held = post(agent, 'hold', {});
      held.done.catch(() => {});
      await started;
      held.req.destroy();
      expect(((await reason) as { code?: string }).code).toBe('CANCELLED');
      expect(aborted).toHaveLength(1);
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      agent.destroy();
    }
  });
});
