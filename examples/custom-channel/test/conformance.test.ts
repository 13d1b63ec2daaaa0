import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { createConformanceAuth } from '@nexus/auth/testing';
import { runChannelConformance } from '@nexus/core/testing';
import type { ChannelUnderTest, ConformanceDriver, ConformanceOutcome } from '@nexus/core/testing';
import { createNdjsonChannel } from '../src/index.js';

type Reply = { id: number | null; ok: boolean; requestId?: string; result?: unknown; error?: Record<string, unknown> };

/** Talks to the channel only through its streams, as a separate process would. */
function ndjsonDriver(toServer: PassThrough, fromServer: PassThrough): ConformanceDriver {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (reply: Reply & { raw: string }) => void }>();
  // A line the channel could not read is answered with id null: it goes to the oldest raw send.
  const unreadable: Array<(reply: Reply & { raw: string }) => void> = [];
  createInterface({ input: fromServer }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    if (typeof reply.id === 'number') waiting.get(reply.id)?.resolve({ ...reply, raw: line });
    else unreadable.shift()?.({ ...reply, raw: line });
  });
  const send = (request: Record<string, unknown>, signal?: AbortSignal) => {
    const id = nextId++;
    const reply = new Promise<Reply & { raw: string }>((resolve) => waiting.set(id, { resolve }));
    signal?.addEventListener('abort', () => toServer.write(`${JSON.stringify({ cancel: id })}\n`), { once: true });
    toServer.write(`${JSON.stringify({ id, ...request })}\n`);
    return reply;
  };
  const outcome = (reply: Reply & { raw: string }): ConformanceOutcome => {
    if (reply.ok) return { ok: true, value: reply.result, raw: reply.raw, ...(reply.requestId ? { requestId: reply.requestId } : {}) };
    const error = reply.error as { code: never; errors?: never; retryAfter?: number };
    return {
      ok: false,
      code: error.code,
      raw: reply.raw,
      ...(reply.requestId ? { requestId: reply.requestId } : {}),
      ...(error.errors ? { errors: error.errors } : {}),
      ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    };
  };
  return {
    async invoke(call) {
      const reply = await send({ operation: call.operation, input: call.input, token: call.token, requestId: call.requestId }, call.signal);
      return outcome(reply);
    },
    async invokeRaw(call) {
      const id = nextId++;
      const reply = new Promise<Reply & { raw: string }>((resolve) => {
        const once = (answer: Reply & { raw: string }) => {
          waiting.delete(id);
          const queued = unreadable.indexOf(once);
          if (queued >= 0) unreadable.splice(queued, 1);
          resolve(answer);
        };
        waiting.set(id, { resolve: once });
        unreadable.push(once);
      });
      const token = call.token === undefined ? '' : `,"token":${JSON.stringify(call.token)}`;
      toServer.write(`{"id":${id},"operation":${JSON.stringify(call.operation)}${token},"input":${call.json}}\n`);
      return outcome(await reply);
    },
    async list(call) {
      const reply = outcome(await send({ list: true, token: call.token }));
      if (!reply.ok) return reply;
      return { ok: true, names: (reply.value as { operations: { name: string }[] }).operations.map((operation) => operation.name) };
    },
    async close() {
      toServer.end();
    },
  };
}

const ndjson: ChannelUnderTest = {
  name: 'ndjson',
  maxInputBytes: 1024 * 1024,
  async connect(app) {
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    app.addChannel(createNdjsonChannel({ input: toServer, output: fromServer }));
    await app.start();
    return ndjsonDriver(toServer, fromServer);
  },
};

runChannelConformance(ndjson);
// The same authentication, authorization, rate-limit and audit cases the first-party channels pass.
runChannelConformance(ndjson, { auth: createConformanceAuth() });
