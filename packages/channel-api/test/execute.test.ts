import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';

let app: Nexus;
let base: string;
const json = { 'content-type': 'application/json' };
const post = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/workflows/${name}/execute`, { method: 'POST', headers: { ...json, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  app = createTestApp({ auth: true });
  ({ base } = await startApi(app, { bodyLimit: 2048 }));
});
afterAll(() => app.stop());

describe('POST /workflows/{name}/execute', () => {
  const auth = { authorization: `Bearer ${token('u1')}` };

  it('returns 200 with result, requestId and executionTimeMs', async () => {
    const response = await post('echo', { inputs: { message: 'hi' } }, auth);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.result).toEqual({ message: 'hi' });
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
    expect(typeof body.executionTimeMs).toBe('number');
  });

  it('accepts "parameters" as an alias of "inputs"', async () => {
    const body = (await (await post('echo', { parameters: { message: 'alias' } }, auth)).json()) as { result: unknown };
    expect(body.result).toEqual({ message: 'alias' });
  });

  it('returns a workflow result as node id to outputs', async () => {
    const body = (await (await post('doubler', { inputs: { n: 21 } }, auth)).json()) as { result: unknown };
    expect(body.result).toEqual({ double: { value: 42 } });
  });

  it('wraps a non-object result under "result"', async () => {
    expect(((await (await post('answer', { inputs: {} }, auth)).json()) as { result: unknown }).result).toBe(42);
  });

  it('honours a valid X-Request-ID and replaces an unsafe one', async () => {
    expect((await post('echo', { inputs: { message: 'x' } }, { ...auth, 'x-request-id': 'req.abc-1' })).headers.get('x-request-id')).toBe('req.abc-1');
    const replaced = (await post('echo', { inputs: { message: 'x' } }, { ...auth, 'x-request-id': 'bad id<script>' })).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('maps credential, tenant request, traceparent, method, path and lower-case headers into the context', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const response = await post('context', {}, { Authorization: 'bEaReR  tok-1', 'X-Tenant-ID': 'acme', traceparent, 'X-Custom': 'v' });
    const value = ((await response.json()) as { result: Record<string, any> }).result;
    expect(value.credential).toEqual({ kind: 'bearer', token: 'tok-1' });
    expect(value.traceparent).toBe(traceparent);
    expect(value.transport).toMatchObject({ method: 'POST', path: '/workflows/context/execute', requestedTenant: 'acme' });
    expect(value.transport.headers['x-custom']).toBe('v');
    expect(value.channel).toBe('api');
    expect(value.clientAddress).toBe('127.0.0.1');
  });

  it('marks an Authorization header of another scheme as an invalid credential, never as none', async () => {
    const value = ((await (await post('context', {}, { authorization: 'Basic dTpw' })).json()) as { result: { credential: unknown } }).result;
    expect(value.credential).toEqual({ kind: 'invalid' });
  });

  it('sends X-RateLimit-* and X-Tenant-ID from the pipeline annotations', async () => {
    const response = await post('echo', { inputs: { message: 'x' } }, auth);
    expect(response.headers.get('x-ratelimit-limit')).toBe('10');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('7');
    expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(response.headers.get('x-tenant-id')).toBe('t1');
  });

  it('answers 429 problem+json with Retry-After', async () => {
    const response = await post('limited', {}, auth);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('13');
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: 'urn:nexus:error:RATE_LIMITED', status: 429, code: 'RATE_LIMITED', retryAfter: 13 });
  });

  it('answers 401 with WWW-Authenticate and no reason', async () => {
    const response = await post('echo', { inputs: { message: 'x' } }, { authorization: 'Bearer bad' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="nexus", error="invalid_token"');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });

  it('answers 403 when the caller lacks the permission', async () => {
    const response = await post('echo', { inputs: { message: 'x' } }, { authorization: `Bearer ${token('u2', ['read:x'])}` });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('FORBIDDEN');
  });

  it('answers 400 with errors[] for invalid input', async () => {
    const response = await post('echo', { inputs: { message: 3 } }, auth);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('INVALID_INPUT');
    expect(problem.errors.map((error) => error.path)).toEqual(['message']);
  });

  it('answers 404 problem+json for an unknown operation', async () => {
    const response = await post('nope', {}, auth);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('answers 500 with a generic message and no stack or cause', async () => {
    const response = await post('boom', {}, auth);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('swordfish');
    expect(text).not.toMatch(/at .+:\d+:\d+/);
    expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL', requestId: response.headers.get('x-request-id') });
  });

  it.each([
    ['text/plain', '{"inputs":{}}'],
    ['application/x-www-form-urlencoded', 'a=b'],
    ['application/json; charset=latin1', '{}'],
  ])('answers 415 for a %s body', async (type, body) => {
    const response = await post('echo', body, { ...auth, 'content-type': type });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { status: number }).status).toBe(415);
  });

  it('accepts a +json media type', async () => {
    expect((await post('echo', { inputs: { message: 'v' } }, { ...auth, 'content-type': 'application/vnd.api+json' })).status).toBe(200);
  });

  it('answers 413 when the body is over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ inputs: { message: 'x'.repeat(4096) } });
    const declared = await post('echo', big, auth);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await fetch(`${base}/workflows/echo/execute`, { method: 'POST', headers: { ...json, ...auth }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it.each([
    ['malformed JSON', '{"inputs": {'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"x"'],
  ])('answers 400 for %s', async (_name, body) => {
    const response = await post('echo', body, auth);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('INVALID_INPUT');
  });

  it('treats an empty body as empty inputs', async () => {
    const response = await fetch(`${base}/workflows/context/execute`, { method: 'POST' });
    expect(response.status).toBe(200);
  });
});

describe('the default body limit', () => {
  it('is 1 MiB', async () => {
    const local = createTestApp();
    const { base: url } = await startApi(local);
    try {
      const send = (size: number) =>
        fetch(`${url}/workflows/echo/execute`, { method: 'POST', headers: json, body: JSON.stringify({ inputs: { message: 'x'.repeat(size) } }) });
      expect((await send(1024 * 1024 - 100)).status).toBe(200);
      expect((await send(1024 * 1024)).status).toBe(413);
    } finally {
      await local.stop();
    }
  });
});
