import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { z } from 'zod';
import { Nexus, UnavailableError, silentLogger } from '@nexus/core';
import { createNdjsonChannel } from '../src/index.js';

describe('ndjson channel input handling', () => {
  it('answers garbage lines with INVALID_INPUT, long ones with PAYLOAD_TOO_LARGE, and keeps serving', async () => {
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    const app = new Nexus({ logger: silentLogger });
    app.handler('echo', { description: 'Echo', input: z.object({ message: z.string() }) }, (input) => input);
    app.addChannel(createNdjsonChannel({ input: toServer, output: fromServer, maxLineBytes: 64 }));
    await app.start();
    const replies = createInterface({ input: fromServer })[Symbol.asyncIterator]();

    toServer.write('{not json\n');
    expect(JSON.parse((await replies.next()).value)).toMatchObject({ id: null, ok: false, error: { code: 'INVALID_INPUT' } });
    toServer.write(`${JSON.stringify({ id: 1, operation: 'echo', input: { message: 'x'.repeat(100) } })}\n`);
    expect(JSON.parse((await replies.next()).value)).toMatchObject({ id: null, ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    toServer.write('[1,2]\n');
    expect(JSON.parse((await replies.next()).value)).toMatchObject({ ok: false });
    toServer.write(`${JSON.stringify({ id: 2, operation: 'echo', input: { message: 'still here' } })}\n`);
    expect(JSON.parse((await replies.next()).value)).toMatchObject({ id: 2, ok: true, result: { message: 'still here' } });

    toServer.end();
    await app.stop();
    fromServer.end();
    await once(fromServer, 'end').catch(() => undefined);
  });

  it('says on every error whether the same line may be sent again, from an exhaustive table', async () => {
    const toServer = new PassThrough();
    const fromServer = new PassThrough();
    const app = new Nexus({ logger: silentLogger });
    app.handler('busy', { description: 'Always unavailable', input: z.object({}) }, () => {
      throw new UnavailableError();
    });
    app.addChannel(createNdjsonChannel({ input: toServer, output: fromServer }));
    await app.start();
    const replies = createInterface({ input: fromServer })[Symbol.asyncIterator]();

    toServer.write(`${JSON.stringify({ id: 1, operation: 'busy' })}\n`);
    expect(JSON.parse((await replies.next()).value)).toMatchObject({ id: 1, ok: false, retryable: true, error: { code: 'UNAVAILABLE' } });
    toServer.write(`${JSON.stringify({ id: 2, operation: 'nope' })}\n`);
    expect(JSON.parse((await replies.next()).value)).toMatchObject({ id: 2, ok: false, retryable: false, error: { code: 'NOT_FOUND' } });

    toServer.end();
    await app.stop();
    fromServer.end();
  });
});
